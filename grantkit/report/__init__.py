"""grantkit.report: the yearly reports. A report is built as data (``model``: a ``Report`` of ``Section``s with
their prose, tables and figures) by one builder per report, and written by one renderer (``render``) as HTML,
Excel and PNG. The notebook templates (``report/templates/``) call the same builders and show the sections.

- ``model``: ``Report``, ``Section`` and their parts (``Text``, ``Heading``, ``Table``, ``Figure``)
- ``prefecture`` / ``prefecture_sections``: one prefecture's two-year comparison (``grantkit report --entity 山口県``):
  its data (``load_report_data``), checks and run; ``build_prefecture_report``
- ``municipal`` / ``municipal_sections``: one municipality's year (``grantkit report --level 市町村``): its data
  (``load_municipal_data``), checks and run; ``build_municipal_report``
- ``render``: the model as HTML, Excel and PNG (``write_report``), and the safe writers every report uses
- ``prefecture_municipalities`` / ``prefecture_municipalities_sections``: a prefecture's municipalities side by
  side (``grantkit report --prefecture``); ``build_prefecture_municipalities_report``
- ``group`` / ``group_sections``: several municipalities side by side; ``build_group_report``
- ``execution``: the report folder with the report's notebook, and the kernel settings for running notebooks

>>> from grantkit import report
>>> report.report_folder_name("山口県", "H30", "R1")
'山口県_H30-R1'
"""

from .execution import inline_figures, kernel_config
from .group import group_tables, run_group_report
from .group_sections import build_group_report
from .model import Figure, Heading, Report, Section, Table, Text
from .municipal import MunicipalData, load_municipal_data, run_municipal_report
from .municipal_sections import build_municipal_report
from .prefecture import ReportData, allocation_summary, load_report_data, report_folder_name, run_report
from .prefecture_municipalities import PrefectureOverview, prefecture_overview, run_prefecture_report
from .prefecture_municipalities_sections import build_prefecture_municipalities_report
from .prefecture_sections import build_prefecture_report
from .render import write_report

__all__ = [
    "Figure",
    "Heading",
    "MunicipalData",
    "PrefectureOverview",
    "Report",
    "ReportData",
    "Section",
    "Table",
    "Text",
    "allocation_summary",
    "build_group_report",
    "build_municipal_report",
    "build_prefecture_municipalities_report",
    "build_prefecture_report",
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
    "write_report",
]
