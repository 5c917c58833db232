"""Charts drawn on a second core (grantkit.plot.drawing): the worker's SVG bytes are the ones this process draws,
for every chart of the bundled reports, and whatever goes wrong with the worker, the chart is drawn here."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.ticker import FuncFormatter

from grantkit.examples import example_path
from grantkit.plot import drawing
from grantkit.plot.style import svg_bytes
from grantkit.report import (
    build_group_report,
    build_municipal_report,
    build_prefecture_municipalities_report,
    build_prefecture_report,
    load_municipal_data,
    load_report_data,
)
from grantkit.report.model import Figure

SAMPLES = [example_path("mhlw_sample_R6.xlsx"), example_path("mhlw_sample_R7.xlsx")]


@pytest.fixture
def two_cores(monkeypatch):
    """As on a machine with a second core, whatever this one has."""
    monkeypatch.setattr(drawing, "cores", lambda: 2)
    monkeypatch.delenv(drawing.OFF_VARIABLE, raising=False)


def _reports():
    municipal = load_municipal_data(SAMPLES, example_path("budgets_synthetic.csv"))
    prefecture = load_report_data(
        example_path("yamaguchi_scores.csv"),
        utilization=example_path("utilization_yamaguchi.csv"),
        budgets=example_path("budgets.csv"),
        entity="山口県",
        years=["H30", "R1"],
    )
    yield build_prefecture_report(prefecture, entity="山口県", base="H30", target="R1")
    yield build_municipal_report(municipal, entity="つばきの森市", year="R7")
    yield build_prefecture_municipalities_report(municipal, prefecture="北海道", year="R7")
    yield build_group_report(municipal, ["つばきの森市", "020011"], year="R7")


def test_every_chart_of_the_bundled_reports_is_drawn_by_the_worker_as_here(two_cores):
    with drawing.drawing_aside() as aside:
        assert aside
        reports = list(_reports())
        figures = [f for r in reports for f in r.figures()]
        jobs = [f.svg_job for f in figures]
        assert len(figures) >= 15 and all(job is not None for job in jobs)
        for job in jobs:  # drawn there, not cancelled and drawn here
            job.result(timeout=drawing.WAIT_SECONDS)
        for figure in figures:
            assert figure.svg() == svg_bytes(figure.fig), figure.stem
    assert {type(r).__name__ for r in reports} == {"Report"}
    for figure in figures:
        plt.close(figure.fig)


def test_without_a_second_core_or_when_turned_off_nothing_is_started(monkeypatch, two_cores):
    monkeypatch.setenv(drawing.OFF_VARIABLE, "1")
    with drawing.drawing_aside() as aside:
        fig, _ = plt.subplots()
        assert not aside and Figure.of(fig, "a").svg_job is None
    monkeypatch.setenv(drawing.OFF_VARIABLE, "0")
    monkeypatch.setattr(drawing, "cores", lambda: 1)
    with drawing.drawing_aside() as aside:
        assert not aside and drawing.draw_aside(fig) is None
    assert drawing.draw_aside(fig) is None  # outside the block


def test_a_figure_that_cannot_be_handed_over_is_drawn_here(two_cores):
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))  # a lambda does not pickle
    with drawing.drawing_aside():
        figure = Figure.of(fig, "a")
        assert figure.svg_job is None
        assert figure.svg() == svg_bytes(fig)


def test_a_worker_that_dies_or_fails_means_drawing_here(two_cores):
    fig, ax = plt.subplots()
    ax.bar(["甲", "乙"], [1, 2])
    with drawing.drawing_aside():
        worker = drawing._workers[-1]
        worker.process.kill()
        worker.process.wait()
        job = drawing.draw_aside(fig)
        with pytest.raises(Exception):  # noqa: B017 - whichever error the dead pipe gives
            job.result(timeout=drawing.WAIT_SECONDS)
        assert drawing.svg_of(fig, job) == svg_bytes(fig)
        later = drawing.draw_aside(fig)  # the courier knows the worker is gone
        assert isinstance(later.exception(timeout=drawing.WAIT_SECONDS), OSError)
        assert drawing.svg_of(fig, later) == svg_bytes(fig)
    plt.close(fig)


def test_an_error_in_the_worker_is_said_back_and_the_chart_drawn_here(two_cores):
    with drawing.drawing_aside():
        job = drawing._workers[-1].submit(b"not a pickle")  # what a bad job would do there
        with pytest.raises(Exception):  # noqa: B017 - the worker's answer is an error, or it ended
            job.result(timeout=drawing.WAIT_SECONDS)
        fig, _ = plt.subplots()
        assert drawing.svg_of(fig, job) == svg_bytes(fig)
    plt.close(fig)


def test_a_chart_not_yet_begun_is_taken_back_and_drawn_here(two_cores):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    with drawing.drawing_aside():
        jobs = [drawing.draw_aside(fig) for _ in range(6)]
        assert drawing.svg_of(fig, jobs[-1]) == svg_bytes(fig)
        for job in jobs[:-1]:
            assert drawing.svg_of(fig, job) == svg_bytes(fig)
    assert all(job.done() for job in jobs)  # none left waiting when the block ends
    plt.close(fig)
