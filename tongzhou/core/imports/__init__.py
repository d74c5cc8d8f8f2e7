"""The import framework: a spreadsheet in, rows checked, the good ones (or none) written.

An app declares an `Importer` (its columns, its row checks, its writer, the permission it needs)
in its `importers.py` and registers it in its AppConfig.ready(). The framework reads the file
safely (`reading`), checks every row and previews every error (`base.check`), writes in batches
(`base.write`), keeps the upload and its progress in an `ImportJob` (`models`), runs the check and
the write in the background (`services`, `tasks`: Celery, in-process without a broker), and
answers the template download and the errors CSV (`responses`). `manage.py import_file` is its
command line.
"""
