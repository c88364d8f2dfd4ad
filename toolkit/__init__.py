"""newsvoices toolkit: who gets to speak in the news, with which verbs and in what tone.

Data flows one way: corpus (load, clean) -> attributions (find, resolve, affiliate) -> tone -> comparisons ->
figures and reports. This façade re-exports the public functions of each stage.
"""

from .attributions import ATTRIBUTION_COLUMNS, extract_attributions
from .clean import clean_text, load_cleaning_rules
from .corpus import ARTICLE_COLUMNS, corpus_summary, load_corpus, removed_lines_table, write_articles
from .paths import DEMO_CORPUS, data_path
from .nlp import load_pipeline
from .quotes import find_quotes
from .registry import RegistryError, load_actors, load_outlets

__version__ = "0.1.0"

__all__ = [
    "ARTICLE_COLUMNS",
    "ATTRIBUTION_COLUMNS",
    "DEMO_CORPUS",
    "RegistryError",
    "clean_text",
    "corpus_summary",
    "data_path",
    "extract_attributions",
    "find_quotes",
    "load_actors",
    "load_cleaning_rules",
    "load_corpus",
    "load_outlets",
    "load_pipeline",
    "removed_lines_table",
    "write_articles",
]
