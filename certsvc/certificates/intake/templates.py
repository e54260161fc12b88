"""Excel templates an issuing office fills in: one per acquisition route, with the Chinese column
headers intake reads (``certsvc.domain.record``), one example row and a sheet explaining each column.

The first worksheet is what intake reads: the header row (取得方式 first, so a file may later mix
routes), then the example row, which is valid under the demo registry (``certsvc init --demo``)
and is to be replaced by the office's own rows. Every cell is text (number format ``@``): an ID
number typed into it stays 18 characters instead of turning into a rounded number, and dates keep
the form the clerk typed. The second worksheet (填写说明) says what each column holds; intake never
reads it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from types import MappingProxyType

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from certsvc.domain.record import (
    COMMON_FIELDS,
    EXAM,
    FIELD_LABELS_ZH,
    RECOGNITION,
    RECONFIRMATION,
    REVIEW,
    ROUTE_FIELDS,
    ROUTES,
)
from certsvc.domain.routes import EDUCATIONS, ROUTE_SLUGS, parse_route
from certsvc.errors import BadRequest

TEXT_FORMAT = "@"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_COMMON_EXAMPLE = {
    "confirmation_date": "2024-11-20",
    "series": "工程技术",
    "specialty": "数字技术",
    "employer": "桂林山水信息技术有限公司",
}
# One example row per route, valid under the demo registry (fictional people).
EXAMPLES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        REVIEW: {
            **_COMMON_EXAMPLE,
            "confirmation_doc_no": "桂人社职〔2024〕450号",
            "authority_code": "450000",
            "committee_code": "450000-GC-正高级",
            "committee_name": "广西壮族自治区人力资源和社会保障厅工程技术正高级评审委员会",
            "committee_size": "25",
            "meeting_date": "2024-10-25",
            "publicity_start": "2024-11-04",
            "publicity_end": "2024-11-08",
            "name": "覃海燕",
            "id_number": "450302198805160335",
            "title": "正高级工程师",
            "level": "正高级",
            "attendees": "18",
            "votes_for": "15",
        },
        RECOGNITION: {
            **_COMMON_EXAMPLE,
            "confirmation_doc_no": "七人社认〔2024〕8号",
            "authority_code": "450305",
            "name": "黄思远",
            "id_number": "450305200103150422",
            "title": "助理工程师",
            "level": "助理级",
            "education": "本科",
            "graduation_date": "2023-06-30",
            "work_start_date": "2023-07-10",
            "employment_start_date": "",
        },
        RECONFIRMATION: {
            **_COMMON_EXAMPLE,
            "confirmation_doc_no": "桂市人社职〔2024〕60号",
            "authority_code": "450300",
            "name": "刘建华",
            "id_number": "430102198604123453",
            "title": "工程师",
            "level": "中级",
            "original_certificate_number": "湘职证〔2019〕01234号",
            "original_issuer": "湖南省人力资源和社会保障厅",
            "original_date": "2019-12-20",
            "original_route": "评审",
            "employment_start_date": "2022-03-01",
        },
        EXAM: {
            **_COMMON_EXAMPLE,
            "confirmation_doc_no": "桂市人社考〔2024〕5号",
            "authority_code": "450300",
            "series": "会计",
            "specialty": "会计",
            "name": "莫雨桐",
            "id_number": "450303199307210150",
            "title": "会计师",
            "level": "中级",
            "exam_name": "2024年度全国会计专业技术中级资格考试",
            "exam_date": "2024-09-07",
            "exam_authority": "财政部会计资格评价中心",
            "exam_certificate_number": "Z2024450300123",
        },
    }
)

_HELP = {
    "route": "取得方式：评审、认定、重新确认或考试（一个文件可混合多种方式）",
    "confirmation_doc_no": "确认（认定）文件的文号",
    "confirmation_date": "确认（认定）日期，如 2024-11-20",
    "authority_code": "确认并发证机构的代码（登记册中的 6 位代码）",
    "education": f"学历：{'、'.join(EDUCATIONS)}",
    "graduation_date": "毕业日期；博士后填出站日期",
    "work_start_date": "毕业后从事专业技术工作的起始日期（博士后可不填）",
    "employment_start_date": "认定：博士填与认定单位建立劳动关系之日（职称从此日算起），博士后可填劳动合同签订日；"
    "重新确认：在本省（区）建立劳动（人事）关系之日（须满 2 年）",
    "original_certificate_number": "区外原职称证书的编号",
    "original_issuer": "区外原职称证书的发证机构",
    "original_date": "原职称的取得时间（重新确认后沿用）",
    "original_route": "原职称的取得方式：评审、认定或重新确认（考试取得的职称不办理重新确认）",
    "exam_name": "考试名称，如 2024年度全国会计专业技术中级资格考试",
    "exam_date": "考试日期",
    "exam_authority": "考试组织机构",
    "exam_certificate_number": "资格考试合格证书的编号",
}


def template_route(text: str) -> str:
    """The route a template is asked for (Chinese or its English slug); ``BadRequest`` otherwise."""
    route = parse_route(text) if text.strip() else None
    if route is None:
        choices = ", ".join(f"{r} ({ROUTE_SLUGS[r]})" for r in ROUTES)
        raise BadRequest(
            f"unknown route {text!r}: use one of {choices}",
            detail_zh=f"取得方式“{text}”无法识别，应为 {'、'.join(ROUTES)} 之一",
        )
    return route


def template_columns(route: str) -> tuple[str, ...]:
    """The fields of a route's template, in column order: the route, the common fields, its own."""
    return ("route", *COMMON_FIELDS, *ROUTE_FIELDS[route])


def template_filename(route: str) -> str:
    return f"results-template-{ROUTE_SLUGS[route]}.xlsx"


def template_xlsx(route: str) -> bytes:
    """The .xlsx template of ``route``: Chinese headers, one example row, and a 填写说明 sheet."""
    columns = template_columns(route)
    example = {**EXAMPLES[route], "route": route}
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = f"{route}结果"
    sheet.append([FIELD_LABELS_ZH[field] for field in columns])
    sheet.append([example.get(field, "") for field in columns])
    header_fill = PatternFill("solid", fgColor="F3E3E3")
    for index, field in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(48, 2.2 * len(example.get(field, "")) + 4))
        sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        for row in (1, 2):
            cell = sheet.cell(row=row, column=index)
            cell.number_format = TEXT_FORMAT
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        header.fill = header_fill
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "字段", "说明"])
    for field in columns:
        notes.append([FIELD_LABELS_ZH[field], field, _HELP.get(field, "")])
    notes.append([])
    notes.append(["", "", "第 2 行为示例，请替换为本机构的数据；所有列均按文本填写，日期写作 2024-11-20。"])
    for letter, width in (("A", 16), ("B", 28), ("C", 90)):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
