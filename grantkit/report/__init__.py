"""grantkit.report: the yearly reports. Each builder loads once, selects once, runs its notebook template
(``report/templates/``) with papermill and writes HTML, Excel and PNG through ``render``.

- ``prefecture``: one prefecture's two-year comparison (``grantkit report --entity 山口県``)
- ``municipal``: one municipality's year (``grantkit report --level 市町村``)
- ``prefecture_municipalities``: a prefecture's municipalities side by side (``grantkit report --prefecture``)
- ``group``: several entities side by side (``grantkit report`` given more than one entity)
- ``render``: the writers shared by all four (Excel without formulas, atomic folders, offline HTML)

>>> from grantkit import report
>>> report.report_folder_name("山口県", "H30", "R1")
'山口県_H30-R1'
"""

from .group import group_tables, run_group_report
from .municipal import MunicipalData, load_municipal_data, run_municipal_report
from .prefecture import (
    ReportData,
    allocation_summary,
    inline_figures,
    kernel_config,
    load_report_data,
    report_folder_name,
    run_report,
    save_report_figure,
    write_report_tables,
)
from .prefecture_municipalities import PrefectureOverview, prefecture_overview, run_prefecture_report

__all__ = [
    "MunicipalData",
    "PrefectureOverview",
    "ReportData",
    "allocation_summary",
    "group_tables",
    "inline_figures",
    "kernel_config",
    "load_municipal_data",
    "load_report_data",
    "prefecture_overview",
    "report_folder_name",
    "run_group_report",
    "run_municipal_report",
    "run_prefecture_report",
    "run_report",
    "save_report_figure",
    "write_report_tables",
]
