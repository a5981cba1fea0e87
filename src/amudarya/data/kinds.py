"""The kinds of problem validation reports (Problem.kind): the first words of every message, and
the names data/README.md explains them under. The rules' and the text check's kinds are theirs."""

MISSING_FILE = "missing file"
EMPTY_FILE = "empty file"
NOT_UTF8 = "not UTF-8"
WRONG_SEPARATOR = "wrong separator"
MISSING_COLUMN = "missing column"
UNEXPECTED_COLUMN = "unexpected column"
DUPLICATE_COLUMN = "duplicate column"
COLUMN_ORDER = "columns out of order"
EMPTY_ROW = "empty row"
WRONG_FIELD_COUNT = "wrong number of fields"
QUOTE = "broken quoting"
NOT_A_NUMBER = "not a number"
NOT_A_WHOLE_NUMBER = "not a whole number"
NOT_A_DATE = "not a date"
NOT_TRUE_FALSE = "not true or false"
EMPTY_REQUIRED = "empty required field"
OUT_OF_RANGE = "out of range"
NOT_ALLOWED = "not an allowed value"
WRONG_FORM = "wrong form"
WRONG_LENGTH = "wrong length"
DUPLICATE_KEY = "duplicate key"
UNKNOWN_REFERENCE = "unknown reference"
OTHER = "not valid"
BAD_DESCRIPTOR = "bad descriptor"
NOT_JSON = "not valid JSON"
KINDS = (
    MISSING_FILE,
    EMPTY_FILE,
    NOT_UTF8,
    WRONG_SEPARATOR,
    MISSING_COLUMN,
    UNEXPECTED_COLUMN,
    DUPLICATE_COLUMN,
    COLUMN_ORDER,
    EMPTY_ROW,
    WRONG_FIELD_COUNT,
    QUOTE,
    NOT_A_NUMBER,
    NOT_A_WHOLE_NUMBER,
    NOT_A_DATE,
    NOT_TRUE_FALSE,
    EMPTY_REQUIRED,
    OUT_OF_RANGE,
    NOT_ALLOWED,
    WRONG_FORM,
    WRONG_LENGTH,
    DUPLICATE_KEY,
    UNKNOWN_REFERENCE,
    OTHER,
    BAD_DESCRIPTOR,
    NOT_JSON,
)
