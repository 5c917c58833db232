"""The report as data: a ``Report`` of ``Section``s, each an ordered list of paragraphs, sub-headings, tables
and figures. Builders (``prefecture_sections``, ``municipal_sections``) make one; ``render`` writes it as HTML,
Excel and PNG; in a notebook each section shows itself.

>>> import pandas as pd
>>> s = Section("1. 得点", [Text("本文。"), Table(pd.DataFrame({"a": [1]}), sheet="得点")])
>>> Report("題", "出典: 例", [s]).sheets()
['得点']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Text:
    """Paragraphs of a section.

    Parameters
    ----------
    text : str
        One paragraph per line (empty lines are dropped).
    drafted : bool
        True for sentences drafted from the figures (shown as the report's prose, 「評価（案）」 and the like),
        False for the explanation of a table or chart.

    >>> Text("一文目。\\n二文目。").paragraphs
    ['一文目。', '二文目。']
    """

    text: str
    drafted: bool = False

    @property
    def paragraphs(self) -> list[str]:
        """The non-empty lines of ``text``."""
        return [line for line in self.text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section.

    Parameters
    ----------
    text : str
        The heading (「評価（案）」, 「報告趣旨」).

    >>> Heading("評価（案）").text
    '評価（案）'
    """

    text: str


@dataclass(frozen=True)
class Table:
    """One table of a section.

    Parameters
    ----------
    view : DataFrame or None
        What the HTML page and the notebook show (figures as text, ``grantkit.present`` views); None: Excel only.
    sheet : str or None
        The Excel sheet it goes to; None: not in the workbook.
    numbers : DataFrame or None
        What the sheet holds (numbers as numbers, e.g. a view with ``numbers=True``); None: ``view``.

    >>> t = Table(pd.DataFrame({"a": ["1%"]}), sheet="表", numbers=pd.DataFrame({"a": [0.01]}))
    >>> t.excel["a"].tolist()
    [0.01]
    """

    view: pd.DataFrame | None
    sheet: str | None = None
    numbers: pd.DataFrame | None = None

    @property
    def excel(self) -> pd.DataFrame | None:
        """The table written to the sheet (``numbers``, else ``view``)."""
        return self.view if self.numbers is None else self.numbers


@dataclass(frozen=True)
class Figure:
    """A chart of a section (make one with ``Figure.of``).

    Parameters
    ----------
    fig : matplotlib Figure
        The chart, from ``grantkit.plot``.
    stem : str
        The file stem it is saved as (``01_年度比較`` → ``01_年度比較.png`` and ``.svg``).
    alt : str
        Its alt text: the chart's title as the reader sees it (``figure_title``).
    svg_job : Future or None
        Its SVG being drawn on a second core (``plot.drawing.draw_aside``), else ``None``.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.set_title("得点率")
    >>> Figure.of(fig, "01_得点率").alt
    '得点率'
    """

    fig: object
    stem: str
    alt: str
    svg_job: object = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, fig: object, stem: str) -> Figure:
        """The finished figure with its title as alt text; closed in pyplot, so a notebook shows it only where its
        section is shown (it can still be saved); inside ``plot.drawing.drawing_aside`` its SVG is drawn on a
        second core from now on."""
        import matplotlib.pyplot as plt

        from ..plot.drawing import draw_aside

        plt.close(fig)
        return cls(fig, stem, figure_title(fig), draw_aside(fig))

    def png(self) -> bytes:
        """The PNG bytes, as ``plot.save_figure`` writes them (no timestamp or software tag)."""
        from ..plot.style import png_bytes

        return png_bytes(self.fig)

    def svg(self) -> bytes:
        """The SVG bytes, as ``plot.save_figure`` writes them: drawn on the second core when it was handed there."""
        from ..plot.drawing import svg_of

        return svg_of(self.fig, self.svg_job)


Part = Text | Heading | Table | Figure


@dataclass
class Section:
    """A titled part of the report. In a notebook it shows itself (headings, prose, tables, charts in order).

    Parameters
    ----------
    title : str
        「2. 年度比較」; "" for the report's lead (before the first numbered section).
    parts : list of Text, Heading, Table and Figure
        In reading order.

    >>> s = Section("2. 年度比較", [Text("文。"), Heading("評価（案）"), Text("伸びている。", drafted=True)])
    >>> [p.text for p in s.prose], s.tables, s.figures
    (['文。', '伸びている。'], [], [])
    """

    title: str
    parts: list[Part] = field(default_factory=list)

    @property
    def prose(self) -> list[Text]:
        """The section's paragraphs (explanations and drafted sentences)."""
        return [p for p in self.parts if isinstance(p, Text)]

    @property
    def tables(self) -> list[Table]:
        """The section's tables, in order."""
        return [p for p in self.parts if isinstance(p, Table)]

    @property
    def figures(self) -> list[Figure]:
        """The section's charts, in order."""
        return [p for p in self.parts if isinstance(p, Figure)]

    def text(self) -> str:
        """Every paragraph and sub-heading of the section, one per line (for reading and for tests)."""
        lines = [self.title] if self.title else []
        for p in self.parts:
            if isinstance(p, Text):
                lines += p.paragraphs
            elif isinstance(p, Heading):
                lines.append(p.text)
        return "\n".join(lines)

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, Image, display

        from .render import section_html

        pending: list[str] = []  # the HTML between two figures, shown as one output
        for piece in [*section_html(self), None]:
            if isinstance(piece, str):
                pending.append(piece)
                continue
            if pending:
                display(HTML("\n".join(pending)))
                pending = []
            if piece is not None:
                display(Image(data=piece.png(), format="png", metadata={"alt": piece.alt}))

    def __repr__(self) -> str:
        return self.text()


@dataclass
class Report:
    """The whole report, as built by one builder per report and written by ``render.write_report``.

    Parameters
    ----------
    title : str
        Who and which years (the page's title and heading).
    source : str
        The line naming the data it reads (出典).
    sections : list of Section
        In order; the section titles are unique.
    entity_rate_digits : int
        Decimals of the entity's own rates in the workbook, as the report prints them.

    >>> r = Report("山口県 報告書", "出典: 例", [Section("1. 得点"), Section("2. 比較")])
    >>> r["2. 比較"].title, [s.title for s in r]
    ('2. 比較', ['1. 得点', '2. 比較'])
    """

    title: str
    source: str
    sections: list[Section] = field(default_factory=list)
    entity_rate_digits: int = 0

    def __iter__(self) -> Iterator[Section]:
        return iter(self.sections)

    def __getitem__(self, title: str) -> Section:
        """The section whose title is ``title`` or starts with it after its number (``report["年度比較"]``)."""
        for s in self.sections:
            if s.title == title or s.title.split(" ", 1)[-1] == title:
                return s
        raise KeyError(f"「{title}」の節はありません（ある節: {'、'.join(s.title for s in self.sections if s.title)}）")

    def sheets(self) -> list[str]:
        """The Excel sheet names, in order."""
        return [t.sheet for s in self.sections for t in s.tables if t.sheet and t.excel is not None]

    def figures(self) -> list[Figure]:
        """Every chart of the report, in order."""
        return [f for s in self.sections for f in s.figures]

    def text(self) -> str:
        """The report's words (title, sections' titles, paragraphs and sub-headings), one per line."""
        return "\n".join([self.title, *(s.text() for s in self.sections)])


def figure_title(fig: object) -> str:
    """The title a reader sees on a chart (its axes' titles, lines joined), for alt text.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.set_title("山口県の得点率（H30・R1）\\n※注記"); figure_title(fig)
    '山口県の得点率（H30・R1） ※注記'
    """
    titles = [ax.get_title() for ax in getattr(fig, "axes", []) if ax.get_title()]
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        titles.insert(0, suptitle.get_text())
    return " ".join(" ".join(t.split("\n")) for t in titles)
