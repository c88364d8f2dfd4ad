"""newsvoices toolkit: who gets to speak in the news, with which verbs and in what tone.

Data flows one way: corpus (load, clean) -> attributions (find, resolve, affiliate) -> tone -> comparisons ->
figures and reports. This façade re-exports the public functions of each stage.
"""

__version__ = "0.1.0"

import importlib

#: Where each public name lives. The façade imports a stage's module on first use (PEP 562), so that
#: ``import toolkit`` and a run that finds every article in its cache never load spaCy, torch or scipy.
_PUBLIC_NAMES = {
    "analysis": ("ANALYSIS_TABLES", "analyze_articles"),
    "attributions": ("ATTRIBUTION_COLUMNS", "extract_attributions"),
    "clean": ("clean_text", "load_cleaning_rules"),
    "compare": (
        "actor_tone_by_outlet",
        "attribution_mix_per_article",
        "attribution_mix_per_outlet",
        "cue_framing",
        "cue_framing_test",
        "outlet_group_residuals",
        "outlet_group_test",
        "outlet_map",
        "outlet_profiles",
        "pairwise_outlet_tests",
        "placement_per_outlet",
        "side_balance",
        "tone_by_voice",
        "tone_voice_test",
    ),
    "corpus": ("ARTICLE_COLUMNS", "articles_frame", "corpus_summary", "iter_articles", "load_corpus",
               "removed_lines_table", "write_articles"),
    "engine": ("analyze_corpus",),
    "paths": ("DEMO_CORPUS", "data_path"),
    "nlp": ("load_pipeline",),
    "quotes": ("find_quotes",),
    "registry": ("RegistryError", "load_actors", "load_outlets"),
    "sentiment": ("TargetSentiment", "load_tone_model", "sentence_tone", "split_sentences", "tone_tables"),
}
_MODULE_OF = {name: module for module, names in _PUBLIC_NAMES.items() for name in names}
__all__ = sorted([*_MODULE_OF, "compare"])
#: Stage modules reachable as attributes (``toolkit.compare``, ``toolkit.plots`` …), also imported on first use.
_SUBMODULES = frozenset(_PUBLIC_NAMES) | {"plots", "report", "reporting", "evaluate", "parsing", "speakers"}


def __getattr__(name: str):
    if name in _MODULE_OF:
        value = getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

