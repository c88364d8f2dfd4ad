"""The command line: `analyze` writes its tables and report, and its exit status says whether anything was read."""

from __future__ import annotations

import io
import sys

import pandas as pd
import pytest

from toolkit.cli import main

ARTICLE = ("---\noutlet: Meridian Wire\ntitle: Budapest summit planned\nurl: https://meridianwire.example/x\n---\n"
           "BUDAPEST, Oct 17 (Meridian) - Hungary's government said on Friday that preparations for the summit "
           "were under way.\n\n“We are ready,” said Eszter Farkas, an analyst at the Budapest-based Danube "
           "Policy Institute.\n")


def test_analyze_writes_tables_and_report(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["analyze", str(tmp_path / "in"), "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "2 documents: 1 ok, 1 empty" in printed
    articles = pd.read_csv(out / "articles.csv")
    attributions = pd.read_csv(out / "attributions.csv")
    assert list(articles.status) == ["ok", "empty"]
    assert list(zip(attributions.speaker, attributions.group)) == [
        ("Hungarian government", "Hungarian sources"), ("Eszter Farkas", "experts")]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Hungarian sources" in report and "empty.txt" in report
    sentences = pd.read_csv(out / "sentences.csv")
    assert "## Tone of sentences, own voice and quoted voice" in report
    for voice, count in sentences["voice"].value_counts().items():  # the report's counts are the table's
        assert f"| {voice} | {count} |" in report
    assert not list(out.glob("*.partial"))


def test_analyze_fails_only_when_nothing_is_readable(tmp_path, capsys):
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 10)
    assert main(["analyze", str(tmp_path / "junk.txt"), "--out", str(tmp_path / "out"), "--no-progress"]) == 1
    assert "nothing could be read" in capsys.readouterr().err


def test_bad_registry_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    bad = tmp_path / "outlets.csv"
    bad.write_text("outlet,domain\nX,x.example\n", encoding="utf-8")
    assert main(["analyze", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--outlets", str(bad)]) == 2
    assert "missing column(s) country, kind" in capsys.readouterr().err


def test_distillation_flags_are_refused_for_the_fast_tier(tmp_path, capsys):
    assert main(["train-tone", "fast", "--student-epochs", "3", "--out", str(tmp_path)]) == 2
    assert "apply to the accurate tier only" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    from toolkit.tone_training import train_tone

    for tier, student, message in [("fast", {"epochs": 2}, "accurate tier only"),
                                   ("accurate", {"epochs": 0}, "epochs must be positive"),
                                   ("accurate", {"feature_weight": -1}, "feature_weight must be positive or 0"),
                                   ("accurate", {"batch_size": 8}, "unknown student settings"),
                                   ("accurate", {"seed": 1.5}, "seed must be a whole number"),
                                   ("accurate", {"seed": -3}, "seed must be positive or 0")]:
        with pytest.raises(ValueError, match=message):
            train_tone(tier, out=tmp_path, student=student)


def test_a_starting_network_is_for_the_accurate_tier_and_must_exist(tmp_path, capsys):
    from toolkit.tone_training import train_tone

    assert main(["train-tone", "fast", "--student-init", str(tmp_path / "start.safetensors"), "--out", str(tmp_path)]) == 2
    assert "--labelling-precision and the student flags apply to the accurate tier only" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="no network to start the student from"):
        train_tone("accurate", out=tmp_path, student_init=tmp_path / "start.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_a_starting_network_that_is_not_one_is_a_clear_error_before_any_data_is_read(tmp_path, capsys):
    pytest.importorskip("torch")
    card = tmp_path / "tone-accurate.json"  # the card beside a model, not the model
    card.write_text('{"tier": "accurate"}\n', encoding="utf-8")
    assert main(["train-tone", "accurate", "--student-init", str(card), "--data", str(tmp_path / "nowhere"),
                 "--out", str(tmp_path / "models")]) == 2
    assert f"{card} is not a safetensors file of the tone network" in capsys.readouterr().err
    assert not (tmp_path / "models").exists()


def test_averaging_networks_on_the_command_line_needs_two(tmp_path, capsys):
    from toolkit.sentiment import model_path

    assert main(["average-tone-networks", str(model_path("accurate")), "--out", str(tmp_path / "soup")]) == 2
    assert "averaging needs at least two network files" in capsys.readouterr().err
    assert not (tmp_path / "soup").exists()


def test_the_student_seed_and_starting_network_reach_the_distillation(monkeypatch):
    from toolkit import tone_training

    calls = []
    monkeypatch.setattr(tone_training, "train_tone", lambda tier, **options: calls.append((tier, options)))
    assert main(["train-tone", "accurate", "--student-seed", "14", "--student-init", "first.safetensors",
                 "--student-learning-rate", "4e-5"]) == 0
    assert calls[0][1]["student"] == {"seed": 14, "learning_rate": 4e-5}
    assert calls[0][1]["student_init"] == "first.safetensors"
    assert calls[0][1]["labelling_precision"] == "auto"  # the default when the flag is left out


def test_teacher_epochs_reach_the_distillation_and_are_refused_for_the_fast_tier(tmp_path, monkeypatch, capsys):
    from toolkit import tone_training

    calls = []
    monkeypatch.setattr(tone_training, "train_tone", lambda tier, **options: calls.append((tier, options)))
    assert main(["train-tone", "accurate", "--teacher-epochs", "2"]) == 0
    assert main(["train-tone", "accurate"]) == 0
    assert [options["teacher_epochs"] for _, options in calls] == [2, None]  # None: the shipped teacher's one pass
    monkeypatch.undo()
    assert main(["train-tone", "fast", "--teacher-epochs", "2", "--out", str(tmp_path)]) == 2
    assert "--teacher-epochs" in capsys.readouterr().err
    for wrong in ("0", "1.5"):
        with pytest.raises(SystemExit):
            main(["train-tone", "accurate", "--teacher-epochs", wrong])
    for epochs, message in [(0, "from 1 up"), (1.5, "from 1 up")]:
        with pytest.raises(ValueError, match=message):
            tone_training.train_tone("accurate", out=tmp_path, teacher_epochs=epochs)
    with pytest.raises(ValueError, match="teacher epochs are for the accurate tier"):
        tone_training.train_tone("fast", out=tmp_path, teacher_epochs=2)
    assert list(tmp_path.iterdir()) == []


class _FlushRecorder(io.StringIO):
    """A stdout that notes what had been written each time it was flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


@pytest.mark.parametrize("argv, patched", [
    (["train-tone", "accurate", "--work", "w"], "train_tone"),
    (["average-tone-networks", "a.safetensors", "b.safetensors"], "average_networks"),
    (["evaluate", "newsmtsc", "--tier", "fast"], "evaluate_tone"),
])
def test_long_jobs_flush_each_progress_line_so_a_redirected_log_shows_it(argv, patched, monkeypatch):
    from toolkit import tone_training

    def job(*args, log, **options):
        log("teacher: fine-tuning all-mpnet-base-v2 on 8,739 mentions")
        return ({}, "report") if patched == "evaluate_tone" else None

    monkeypatch.setattr(tone_training, patched, job)
    recorder = _FlushRecorder()
    monkeypatch.setattr(sys, "stdout", recorder)
    assert main(argv) == 0
    assert any("teacher: fine-tuning all-mpnet-base-v2 on 8,739 mentions" in seen for seen in recorder.flushed)


def test_a_labelling_precision_reaches_the_distillation_and_a_wrong_one_is_refused(tmp_path, monkeypatch, capsys):
    from toolkit import tone_training

    with pytest.raises(ValueError, match="the teacher labels in 'auto', 'bfloat16' or 'float32', not 'int8'"):
        tone_training.train_tone("accurate", out=tmp_path, labelling_precision="int8")
    with pytest.raises(ValueError, match="for the accurate tier's teacher"):
        tone_training.train_tone("fast", out=tmp_path, labelling_precision="float32")
    assert list(tmp_path.iterdir()) == []
    calls = []
    monkeypatch.setattr(tone_training, "train_tone", lambda tier, **options: calls.append((tier, options)))
    assert main(["train-tone", "accurate", "--labelling-precision", "float32"]) == 0
    assert calls[0][1]["labelling_precision"] == "float32"


def test_teacher_labels_are_refused_for_the_accurate_tier(tmp_path, capsys):
    assert main(["train-tone", "accurate", "--teacher-labels", str(tmp_path / "x.parquet"), "--out", str(tmp_path)]) == 2
    assert "--teacher-labels applies to the fast tier only" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("window, error", [
    ("1000:2000", "--labelling-precision and the student flags apply to the accurate tier only"),
    ("2000:1000", "expected START:END with 0 <= START < END, not '2000:1000'"),
    ("1000", "expected START:END (two whole numbers), not '1000'"),
    ("first:last", "expected START:END (two whole numbers), not 'first:last'"),
])
def test_a_transfer_validation_window_must_be_a_range_for_the_accurate_tier(window, error, tmp_path, capsys):
    try:
        code = main(["train-tone", "fast", "--transfer-validation", window, "--out", str(tmp_path)])
    except SystemExit as exit_:  # argparse refuses a malformed value before anything runs
        code = exit_.code
    assert code == 2 and error in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_transfer_validation_window_reaches_the_distillation(monkeypatch):
    from toolkit import tone_training

    calls = []
    monkeypatch.setattr(tone_training, "train_tone", lambda tier, **options: calls.append((tier, options)))
    assert main(["train-tone", "accurate", "--transfer-validation", "40000:60000", "--transfer-mentions", "140000"]) == 0
    assert calls[0][0] == "accurate" and calls[0][1]["transfer_validation"] == (40000, 60000)
    assert calls[0][1]["transfer_mentions"] == 140000


def test_a_range_of_transfer_mentions_and_more_articles_reach_the_distillation(monkeypatch):
    from toolkit import tone_training

    calls = []
    monkeypatch.setattr(tone_training, "train_tone", lambda tier, **options: calls.append((tier, options)))
    assert main(["train-tone", "accurate", "--transfer-mentions", "122000:222000", "--transfer-articles", "18000"]) == 0
    assert calls[0][1]["transfer_mentions"] == (122000, 222000) and calls[0][1]["transfer_articles"] == 18000
    assert main(["train-tone", "accurate"]) == 0
    assert calls[1][1]["transfer_mentions"] == 60000 and calls[1][1]["transfer_articles"] is None


@pytest.mark.parametrize("flags, error", [
    (["--transfer-mentions", "0"], "must be at least 1"),
    (["--transfer-mentions", "5000:1000"], "expected START:END with 0 <= START < END, not '5000:1000'"),
    (["--transfer-mentions", "many"], "invalid _count_or_window value: 'many'"),
    (["--transfer-articles", "0"], "must be at least 1"),
])
def test_transfer_mentions_and_articles_must_be_counts_or_ranges(flags, error, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["train-tone", "accurate", *flags])
    assert exit_.value.code == 2 and error in capsys.readouterr().err


def test_transfer_articles_apply_to_the_accurate_tier_only(tmp_path, capsys):
    assert main(["train-tone", "fast", "--transfer-articles", "18000", "--out", str(tmp_path)]) == 2
    assert "--transfer-articles" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("tier, window, message", [("fast", (0, 1), "is for the accurate tier's distillation"),
                                                   ("accurate", (60000, 40000), "needs 0 <= start < end")])
def test_train_tone_refuses_a_validation_window_before_reading_anything(tier, window, message, tmp_path):
    from toolkit.tone_training import train_tone

    with pytest.raises(ValueError, match=message):
        train_tone(tier, data_dir=tmp_path / "nowhere", out=tmp_path, transfer_validation=window)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("options, message", [
    ({"transfer_mentions": (5000, 1000)}, "transfer mentions are a number from 1 up or positions START:END"),
    ({"transfer_mentions": 0}, "transfer mentions are a number from 1 up"),
    ({"transfer_articles": 0}, "transfer articles are a whole number from 1 up"),
    ({"tier": "fast", "transfer_articles": 18000}, "for the accurate tier's distillation"),
])
def test_train_tone_refuses_bad_transfer_positions_or_articles_before_reading_anything(options, message, tmp_path):
    from toolkit.tone_training import train_tone

    options = {"tier": "accurate", **options}
    with pytest.raises(ValueError, match=message):
        train_tone(options.pop("tier"), data_dir=tmp_path / "nowhere", out=tmp_path, **options)
    assert list(tmp_path.iterdir()) == []


def test_label_mentions_writes_each_mention_with_its_tone(tmp_path, capsys):
    mentions = pd.DataFrame({"article_id": ["a1", "a2", "a2"],
                             "text": ["Critics slammed Peter Novak as corrupt and incompetent.",
                                      "Supporters praised Anna Berg for her brave and honest leadership.",
                                      "Peter Novak will travel to Brussels on Tuesday for the meeting."],
                             "target_start": [16, 19, 0], "target_end": [27, 28, 11]})
    mentions.to_csv(tmp_path / "mentions.csv", index=False)
    out = tmp_path / "labelled.parquet"
    assert main(["label-mentions", str(tmp_path / "mentions.csv"), "--out", str(out), "--tier", "fast"]) == 0
    labelled = pd.read_parquet(out)
    assert labelled["tone"].tolist() == ["negative", "positive", "neutral"]
    assert labelled[["p_negative", "p_neutral", "p_positive"]].sum(axis=1).round(6).eq(1).all()
    assert labelled.drop(columns=["p_negative", "p_neutral", "p_positive", "tone", "teacher_sha256",
                                  "teacher_precision"]).equals(mentions)
    from toolkit.paths import file_digest
    from toolkit.sentiment import model_path

    assert set(labelled["teacher_sha256"]) == {file_digest(model_path("fast"))}  # which model labelled them
    assert set(labelled["teacher_precision"]) == {"float64"}
    assert "wrote" in capsys.readouterr().out
    mentions.assign(target_end=[27, 28, 99]).to_csv(tmp_path / "bad.csv", index=False)
    assert main(["label-mentions", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "x.csv"), "--tier", "fast"]) == 2
    assert "target offsets outside the text in row(s) [2]" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
    assert main(["label-mentions", str(tmp_path / "mentions.csv"), "--out", str(tmp_path / "x.json"), "--tier", "fast"]) == 2
    assert "name a .csv or .parquet file" in capsys.readouterr().err


def test_label_mentions_checks_every_row_before_scoring_any():
    from toolkit.tone_training import label_mentions

    mentions = pd.DataFrame({"text": ["Critics slammed Peter Novak."] * 5, "target_start": [16] * 5,
                             "target_end": [27, 27, 27, 27, 99]})
    logged = []
    with pytest.raises(ValueError, match=r"row\(s\) \[4\]"):
        label_mentions(mentions, tier="fast", chunk=2, log=logged.append)
    assert logged == []  # nothing scored


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as stop:
        main(["analyze"])
    assert stop.value.code == 2


def test_two_runs_on_the_demo_corpus_write_identical_bytes(tmp_path):
    """Two processes with different hash seeds, so that no set or dict order can leak into the outputs."""
    import os
    import subprocess
    import sys

    from toolkit.paths import DEMO_CORPUS

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "toolkit", "analyze", str(DEMO_CORPUS), "--out", str(out), "--no-progress"],
                       check=True, env=env, capture_output=True)
        outputs.append({path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.is_file()})
        assert sorted(path.name for path in out.iterdir() if path.is_dir()) == [".cache"]  # no spool left
    assert outputs[0] == outputs[1]
    assert set(outputs[0]) == {"articles.csv", "attributions.csv", "removed_lines.csv", "report.md", "sentences.csv",
                               "actor_tone.csv", "article_tone.csv"}


def test_a_missing_english_model_is_one_line_and_status_2(tmp_path, monkeypatch, capsys):
    import toolkit.nlp
    from toolkit.paths import DEMO_CORPUS, ModelNotInstalled

    def no_model(*args, **kwargs):
        raise toolkit.nlp.ModelNotInstalled("no English spaCy pipeline is installed; run `make setup`")

    assert toolkit.nlp.ModelNotInstalled is ModelNotInstalled
    monkeypatch.setattr(toolkit.nlp, "load_pipeline", no_model)
    assert main(["analyze", str(DEMO_CORPUS), "--out", str(tmp_path / "out"), "--no-cache", "--no-progress"]) == 2
    assert "error: no English spaCy pipeline is installed" in capsys.readouterr().err
