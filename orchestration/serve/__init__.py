"""The real-time eligibility service (`softspam serve`)."""

# The bearer token's environment variable: named in `softspam serve --help`.
TOKEN_VARIABLE = "SOFTSPAM_SERVE_TOKEN"
