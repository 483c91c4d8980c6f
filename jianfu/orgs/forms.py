from jianfu.core.forms import ALLOWED_SUFFIXES, SpreadsheetUploadForm

__all__ = ["ALLOWED_SUFFIXES", "SpreadsheetUploadForm"]
