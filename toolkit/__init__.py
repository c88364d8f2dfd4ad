"""newsvoices toolkit: who gets to speak in the news, with which verbs and in what tone.

Data flows one way: corpus (load, clean) -> attributions (find, resolve, affiliate) -> tone -> comparisons ->
figures and reports. This façade re-exports the public functions of each stage.
"""

__version__ = "0.1.0"

from . import compare  # noqa: E402 - the engine reads __version__ for its cache key
from .analysis import ANALYSIS_TABLES, analyze_articles
from .attributions import ATTRIBUTION_COLUMNS, extract_attributions
from .clean import clean_text, load_cleaning_rules
from .compare import (
    actor_tone_by_outlet,
    attribution_mix_per_article,
    attribution_mix_per_outlet,
    cue_framing,
    cue_framing_test,
    outlet_group_residuals,
    outlet_group_test,
    outlet_map,
    outlet_profiles,
    pairwise_outlet_tests,
    placement_per_outlet,
    side_balance,
    tone_by_voice,
    tone_voice_test,
)
from .corpus import ARTICLE_COLUMNS, articles_frame, corpus_summary, iter_articles, load_corpus, removed_lines_table, write_articles
from .engine import analyze_corpus
from .paths import DEMO_CORPUS, data_path
from .nlp import load_pipeline
from .quotes import find_quotes
from .registry import RegistryError, load_actors, load_outlets
from .sentiment import TargetSentiment, load_tone_model, sentence_tone, split_sentences, tone_tables


# toolkit.plots (seaborn figures) is imported on demand: `from toolkit import plots`.
__all__ = [
    "ANALYSIS_TABLES",
    "ARTICLE_COLUMNS",
    "ATTRIBUTION_COLUMNS",
    "DEMO_CORPUS",
    "RegistryError",
    "TargetSentiment",
    "actor_tone_by_outlet",
    "analyze_articles",
    "analyze_corpus",
    "articles_frame",
    "attribution_mix_per_article",
    "attribution_mix_per_outlet",
    "clean_text",
    "compare",
    "corpus_summary",
    "cue_framing",
    "cue_framing_test",
    "data_path",
    "extract_attributions",
    "find_quotes",
    "iter_articles",
    "load_actors",
    "load_cleaning_rules",
    "load_corpus",
    "load_outlets",
    "load_pipeline",
    "load_tone_model",
    "outlet_group_residuals",
    "outlet_group_test",
    "outlet_map",
    "outlet_profiles",
    "pairwise_outlet_tests",
    "placement_per_outlet",
    "removed_lines_table",
    "sentence_tone",
    "side_balance",
    "split_sentences",
    "tone_by_voice",
    "tone_tables",
    "tone_voice_test",
    "write_articles",
]
