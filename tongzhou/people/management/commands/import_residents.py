from tongzhou.core.management.commands.import_file import Command as ImportFileCommand


class Command(ImportFileCommand):
    help = (
        "Import residents from an .xlsx or .csv file (the template's columns) into the place with CODE. "
        "The same as `import_file residents`."
    )
    importer_name = "residents"
