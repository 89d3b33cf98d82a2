"""The package layer's problems: one sentence per code, one constructor.

Placeholders: {path} {part} {where} {cell} {rel} {target}. Echoed names are shown with control
characters replaced and cut to 120 characters, so a hostile part name cannot flood a message.
"""

from __future__ import annotations

import errno
import re

from xlperf.errors import Problem, WorkbookError
from xlperf.pathtext import shown_path

MESSAGES = {
    "NOT_FOUND": "找不到文件 {path}，请检查路径和文件名是否正确",
    "NO_ACCESS": "无法读取文件 {path}，请确认有读取权限，并关闭正在占用它的程序后再试",
    "XLS_BIFF": "这是旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 .xlsm 后再试",
    "WPS_ET": "这是 WPS 表格文件（.et），请在 WPS 中“另存为” Excel 工作簿（.xlsx）后再试",
    "ODF_SPREADSHEET": ("这是 OpenDocument 电子表格（.ods，LibreOffice 的默认格式），请在 LibreOffice 或 WPS 中“另存为”"
                        " Excel 2007-365 工作簿（.xlsx）后再试"),
    "ENCRYPTED": "文件设置了打开密码（已加密），请在 Excel/WPS 中取消密码后另存为 .xlsx 或 .xlsm 再试",
    "NOT_ZIP": "这不是 .xlsx/.xlsm 工作簿（可能是 CSV、文本或其他文件），请在 Excel/WPS 中打开并另存为 .xlsx 后再试",
    "CORRUPT_ZIP": "文件已损坏或不完整{where}，请重新获取文件，或在 Excel/WPS 中打开修复并另存后再试",
    "TOO_LARGE": "文件过大或含有异常压缩的内容{where}，超出安全上限，请删除不需要的内容后再试",
    "NOT_WORKBOOK": "这个文件不是 Excel 工作簿（可能是 Word、PowerPoint 文档或其他压缩包），请选择 .xlsx 或 .xlsm 文件",
    "XLSB": "这是 .xlsb 二进制工作簿，请在 Excel 中另存为 .xlsx 或 .xlsm 后再试",
    "STRICT_OOXML": "这是“Strict Open XML 电子表格”格式，请在 Excel 中另存为普通的“Excel 工作簿(*.xlsx)”或“Excel 启用宏的工作簿(*.xlsm)”后再试",
    "XML_UNSAFE": "文件中的 {part} 含有不安全的 XML 声明（DOCTYPE/实体），已拒绝处理，请在 Excel/WPS 中打开并另存后再试",
    "XML_BROKEN": "文件中的 {part}{cell} 内容无效，文件可能已损坏，请在 Excel/WPS 中打开并另存后再试",
    "BROKEN_PACKAGE": "工作簿结构不完整：找不到 {part}，请在 Excel/WPS 中打开并另存后再试",
    "SHEET_NO_PART": "工作簿结构不完整：工作表“{sheet}”已登记，但 {part} 中没有指向它内容的关系（{rel}），请在 Excel/WPS 中打开并另存后再试",
    "OUTPUT_NOT_FILE": "输出路径 {path} 不是普通文件（是文件夹、设备、管道或指向它们的链接），不会写入它；请另选输出文件",
    "READ_ONLY": "{path} 是只读文件，不会覆盖它；请去掉只读属性，或用 -o 另存为新文件",
    "WRITE_FAILED": "无法写入 {path}，请确认文件夹存在且可写，并在 Excel/WPS 中关闭该文件后再试",
    "DISK_FULL": "无法写入 {path}：磁盘空间已满（或超出配额），请腾出空间后再试",
    "NAME_TOO_LONG": "无法写入 {path}：文件名或路径过长，请用 -o 另取一个短一些的文件名，或换一个浅一些的文件夹",
    "READ_ONLY_DISK": "无法写入 {path}：该磁盘或文件夹只读，请换一个输出位置",
    "CHECK_NO_CONTENT_TYPES": "缺少 [Content_Types].xml",
    "CHECK_NO_CONTENT_TYPE": "部件 {part} 没有登记内容类型",
    "CHECK_DANGLING": "{part} 中的关系 {rel} 指向不存在的部件 {target}",
}

_SHOWN = re.compile(r"[\x00-\x1f\x7f]")


def shown(text: object, limit: int = 120) -> str:
    text = _SHOWN.sub("?", shown_path(str(text)))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def workbook_error(code: str, *, path: object = "", part: str = "", cell: str = "", sheet: str = "",
                   rel: str = "") -> WorkbookError:
    """A WorkbookError carrying one Problem whose one-line message comes from MESSAGES.

    Every echoed value is capped: a 5,000-digit row number must not make a 5 KB message.
    """
    cell = shown(cell, 24) if cell else ""
    message = MESSAGES[code].format(
        path=shown(path),
        part=shown(part),
        where=f"（{shown(part)}）" if part else "",
        cell=f" 单元格 {cell}" if cell else "",
        sheet=shown(sheet, 40),
        rel=shown(rel, 40),
    )
    return WorkbookError([Problem(code, message, sheet=shown(sheet, 40) if sheet else "", cell=cell,
                                  value=shown(part or path))])


# Refused access is left to the general advice: on Windows a file open in Excel refuses its rename so.
_WRITE_REASONS = {errno.ENOSPC: "DISK_FULL", getattr(errno, "EDQUOT", errno.ENOSPC): "DISK_FULL", errno.ENAMETOOLONG: "NAME_TOO_LONG",
                  errno.EROFS: "READ_ONLY_DISK"}


def write_error(exc: OSError, path: object) -> WorkbookError:
    """Why ``path`` could not be written, as far as the system said: a full disk, a name too long and a
    read-only disk each tell the reader what to do; anything else gets the general advice."""
    return workbook_error(_WRITE_REASONS.get(exc.errno, "WRITE_FAILED"), path=path)
