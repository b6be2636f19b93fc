"""Great Expectations suites for every landing kind, run on what each run just landed."""

from orchestration.quality.masking import mask_email, mask_value
from orchestration.quality.validation import Finding, KindValidation, validate_kind, write_result

__all__ = ["Finding", "KindValidation", "mask_email", "mask_value", "validate_kind", "write_result"]
