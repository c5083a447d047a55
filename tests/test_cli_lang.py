"""`--lang` on `adoption run`, `compare` and `figures`: figures in Vietnamese, files as before."""

from pathlib import Path

import pytest
from test_figures import cost_table, summary
from test_i18n import drawn_texts

from adoption.cli import main
from adoption.model.indicators import HEADLINE, TOTAL
from adoption.reports import i18n


def _scenario(tmp_path: Path, name: str, lever: bool) -> Path:
    text = f'name = "{name}"\ndistricts = ["Chợ Đồn"]\nend = "2021-12"\nscale = 0.1\nseed = 3\n'
    text += "runs = 2\n"
    if lever:
        text += (
            '[[interventions]]\ntype = "train_teams"\nstart = "2021-01"\nmagnitude = 0.5\n'
            'unit_cost_vnd = 1000\ncost_source = "assumption"\n'
        )
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def saved(monkeypatch):
    """The texts of every figure the commands save, by file name."""
    from adoption.reports import forecast

    texts: dict[str, list[str]] = {}
    original = forecast._save_figure

    def save(path, figure):
        texts[Path(path).name] = drawn_texts(figure)
        return original(path, figure)

    monkeypatch.setattr(forecast, "_save_figure", save)
    return texts


def test_run_and_compare_draw_their_figures_in_vietnamese(tmp_path, saved):
    i18n.MISSING.clear()
    out = tmp_path / "run"
    scenario = _scenario(tmp_path, "b", lever=True)
    args = ["--no-progress", "--workers", "1", "--lang", "vi"]
    assert main(["run", str(scenario), "--out", str(out), *args]) == 0
    assert {"forecast.png", "comparison.png"} <= {p.name for p in out.iterdir()}
    assert "năm" in saved["forecast.png"] and "năm" in saved["comparison.png"]
    assert i18n.language() == "en"  # --lang holds for the command only
    reference = _scenario(tmp_path, "a", lever=False)
    out = tmp_path / "compare"
    assert main(["compare", str(reference), str(scenario), "--out", str(out), *args]) == 0
    assert any("tỷ đồng" in text for text in saved["cost_effectiveness.png"])
    assert any("lần chạy theo cặp" in text for text in saved["ranking.png"])
    assert i18n.MISSING == set()


def test_run_in_english_by_default(tmp_path, saved):
    scenario = _scenario(tmp_path, "b", lever=False)
    args = ["--no-progress", "--workers", "1", "--no-figures"]
    assert main(["run", str(scenario), "--out", str(tmp_path / "o"), *args]) == 0
    assert saved == {}  # --no-figures still draws nothing, in any language
    assert main(["run", str(scenario), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    assert "year" in saved["forecast.png"]


@pytest.mark.parametrize("command", ["run", "compare", "figures"])
def test_an_unknown_language_is_refused(command, tmp_path, capsys):
    args = {"run": ["s.toml", "--out", "o"], "compare": ["a.toml", "b.toml", "--out", "o"]}
    with pytest.raises(SystemExit) as exit_:
        main([command, *args.get(command, []), "--lang", "xx"])
    assert exit_.value.code == 2
    assert "invalid choice: 'xx'" in capsys.readouterr().err


def test_figures_in_vietnamese_are_written_beside_the_english(tmp_path, saved, monkeypatch):
    """``adoption figures --lang vi``: the README's figures as ``*_vi.png`` (runs faked)."""
    from adoption.reports import forecast

    places = {"Lục Yên": ("district", "Lục Yên"), TOTAL: ("total", TOTAL)}
    shown = [*HEADLINE, "any_service_rate"]
    table = summary(0.0, places=places, indicators=shown)
    diff = summary(0.05, difference=True, places=places, indicators=shown)
    cost = cost_table().assign(level="total")
    monkeypatch.setattr(forecast, "run_ensemble", lambda scenario, cache, **_: scenario)
    monkeypatch.setattr(forecast, "summarise", lambda e: table.assign(scenario=e.name))
    monkeypatch.setattr(
        forecast, "differences", lambda e, base: diff.assign(scenario=e.name, versus=base.name)
    )
    monkeypatch.setattr(
        forecast, "costs", lambda e, base: cost[cost["scenario"] == "push"].assign(scenario=e.name)
    )
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name, lever in (("baseline", False), ("training_push", True)):
        _scenario(folder, name, lever)
    out = tmp_path / "figures"
    assert main(["figures", "--scenarios", str(folder), "--out", str(out), "--lang", "vi"]) == 0
    stems = ["forecast_fans", "districts_online_service", "scenarios_any_service",
             "forecast_targets"]  # fmt: skip
    expected = {f"{stem}_vi.png" for stem in [*stems, "cost_effectiveness"]}
    assert {p.name for p in out.iterdir()} == expected == set(saved)
    assert all("năm" in saved[f"{stem}_vi.png"] for stem in stems)
