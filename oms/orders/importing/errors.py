from django.utils.translation import gettext_lazy as _

from oms.core.errors import ValidationFailed


class ImportFileInvalid(ValidationFailed):
    """The file as a whole cannot be imported (type, size, encoding, header); no row was looked at."""

    code = "import_file_invalid"
    default_message = _("The file cannot be imported.")
