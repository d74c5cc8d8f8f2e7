"""The project's own number formats (settings.FORMAT_MODULE_PATH), over Django's."""
