"""Preset ``phu-tho-2025``: the two-level local government in force from 01/07/2025 (Luật
72/2025/QH15): UBND tỉnh Phú Thọ with a few departments (sở), the provincial public
administration service centre, and communes and wards directly under the province. No
district.

The communes and wards are illustrative: names of real places, but neither the list nor what
each one was formed from is taken from the official resolutions.

When the ``thanh-ba-2021`` agencies are present too (loaded before or after), ``REFORMS``
shows the change with the merge service: the 19 communes and towns of Thanh Ba merge into
xã Thanh Ba and xã Hoàng Cương, and UBND huyện Thanh Ba is dissolved, from 01/07/2025.

Codes follow the scheme of ``thanh_ba_2021``: provincial bodies ``000.NN.00.H42``; a commune
or ward directly under the province ``0CC.00.00.H42`` (third group ``00`` = no district), its
public administration service centre ``0CC.01.00.H42``.
"""

from __future__ import annotations

import datetime as dt

from egov.demo.presets import thanh_ba_2021

NAME = "phu-tho-2025"
TITLE = "Tỉnh Phú Thọ sau 01/07/2025 (chính quyền hai cấp, minh họa)"

PROVINCE_CODE = thanh_ba_2021.PROVINCE_CODE  # the same province: reused when present
PROVINCE_CENTRE_CODE = "000.05.00.H42"
REFORM_DATE = dt.date(2025, 7, 1)
REFORM_DECISION = "Nghị quyết 1676/NQ-UBTVQH15 (minh họa)"

#: (unit number, name, short name, abbreviation, kind)
PROVINCIAL_UNITS = [
    (1, "Văn phòng UBND tỉnh Phú Thọ", "Văn phòng UBND tỉnh", "VP", "department"),
    (2, "Sở Nội vụ tỉnh Phú Thọ", "Sở Nội vụ", "SNV", "department"),
    (3, "Sở Tư pháp tỉnh Phú Thọ", "Sở Tư pháp", "STP", "department"),
    (4, "Sở Tài chính tỉnh Phú Thọ", "Sở Tài chính", "STC", "department"),
    (
        5,
        "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ",
        "Trung tâm PVHCC tỉnh",
        "TTPVHCC",
        "onestop",
    ),
]

#: (commune number, kind, name). Illustrative.
COMMUNES = [
    (1, "commune", "Thanh Ba"),
    (2, "commune", "Hoàng Cương"),
    (3, "commune", "Đoan Hùng"),
    (4, "ward", "Việt Trì"),
    (5, "ward", "Phú Thọ"),
    (6, "commune", "Hạ Hòa"),
    (7, "commune", "Cẩm Khê"),
    (8, "commune", "Tam Nông"),
    (9, "commune", "Lâm Thao"),
]
_LEVEL = {"commune": "xã", "ward": "phường"}


def commune_code(number: int) -> str:
    return f"{number:03d}.00.00.H42"


THANH_BA_CODE = commune_code(1)
HOANG_CUONG_CODE = commune_code(2)
THANH_BA_CENTRE_CODE = f"{1:03d}.01.00.H42"

AGENCIES: list[dict] = [
    {
        "code": PROVINCE_CODE,
        "kind": "province",
        "name": "UBND tỉnh Phú Thọ",
        "short_name": "Tỉnh Phú Thọ",
        "abbreviation": "UBND",
        "address": "Thành phố Việt Trì, tỉnh Phú Thọ",
        "parent": None,
    },
    *[
        {
            "code": f"000.{number:02d}.00.H42",
            "kind": kind,
            "name": name,
            "short_name": short_name,
            "abbreviation": abbreviation,
            "address": "Phường Việt Trì, tỉnh Phú Thọ",
            "parent": PROVINCE_CODE,
        }
        for number, name, short_name, abbreviation, kind in PROVINCIAL_UNITS
    ],
]
for _number, _kind, _name in COMMUNES:
    _level = _LEVEL[_kind]
    AGENCIES += [
        {
            "code": commune_code(_number),
            "kind": _kind,
            "name": f"UBND {_level} {_name}",
            "short_name": f"{_level.capitalize()} {_name}",
            "abbreviation": "UBND",
            "address": f"{_level.capitalize()} {_name}, tỉnh Phú Thọ",
            "parent": PROVINCE_CODE,
            "effective_from": REFORM_DATE,
        },
        {
            "code": f"{_number:03d}.01.00.H42",
            "kind": "onestop",
            "name": f"Trung tâm Phục vụ hành chính công {_level} {_name}",
            "short_name": f"Trung tâm PVHCC {_level} {_name}",
            "abbreviation": "TTPVHCC",
            "address": f"Trụ sở UBND {_level} {_name}, tỉnh Phú Thọ",
            "parent": commune_code(_number),
            "effective_from": REFORM_DATE,
        },
    ]

BRIDGE_POINTS: list[dict] = [
    {
        "agency": PROVINCE_CODE,
        "name": "Hội trường UBND tỉnh Phú Thọ",
        "location": "Trụ sở UBND tỉnh, phường Việt Trì",
        "equipment_status": "ready",
    },
    *[
        {
            "agency": commune_code(number),
            "name": f"Phòng họp trực tuyến UBND {_LEVEL[kind]} {name}",
            "location": f"Trụ sở UBND {_LEVEL[kind]} {name}",
            "equipment_status": "unknown" if number == 7 else "ready",
            "equipment_note": "Thiết bị mới bàn giao, chưa kiểm tra" if number == 7 else "",
        }
        for number, kind, name in COMMUNES
    ],
]

OFFICERS: list[dict] = [
    {
        "username": "vanthu.tinh",
        "full_name": "Ngô Thị Thanh Huyền",
        "position": "Văn thư, Văn phòng UBND tỉnh",
        "roles": [(PROVINCE_CODE, "clerk")],
    },
    {
        "username": "lanhdao.tinh",
        "full_name": "Phan Văn Đức",
        "position": "Phó Chủ tịch UBND tỉnh",
        "roles": [(PROVINCE_CODE, "leader")],
    },
    {
        "username": "chuyenvien.tinh",
        "full_name": "Đặng Thị Ngọc Ánh",
        "position": "Chuyên viên Sở Tư pháp",
        "roles": [("000.03.00.H42", "specialist")],
    },
    {
        "username": "motcua.tinh",
        "full_name": "Lý Văn Khánh",
        "position": "Công chức Trung tâm Phục vụ hành chính công tỉnh",
        "roles": [(PROVINCE_CENTRE_CODE, "onestop")],
    },
    {
        "username": "thuphi.tinh",
        "full_name": "Trịnh Thị Bích Ngọc",
        "position": "Kế toán, Trung tâm Phục vụ hành chính công tỉnh",
        "roles": [(PROVINCE_CENTRE_CODE, "fee")],
    },
    {
        "username": "quantri.tinh",
        "full_name": "Cao Minh Quân",
        "position": "Quản trị hệ thống, Văn phòng UBND tỉnh",
        "roles": [(PROVINCE_CODE, "admin")],
        "totp": True,
    },
    {
        "username": "lanhdao.thanhba",
        "full_name": "Hà Văn Sơn",
        "position": "Chủ tịch UBND xã Thanh Ba",
        "roles": [(THANH_BA_CODE, "leader")],
    },
    {
        "username": "vanthu.thanhba",
        "full_name": "Kiều Thị Phương",
        "position": "Văn thư UBND xã Thanh Ba",
        "roles": [(THANH_BA_CODE, "clerk")],
    },
    {
        "username": "motcua.thanhba",
        "full_name": "Tạ Quang Vinh",
        "position": "Công chức Trung tâm Phục vụ hành chính công xã Thanh Ba",
        "roles": [(THANH_BA_CENTRE_CODE, "onestop")],
    },
]
for _officer in OFFICERS:
    _officer.setdefault("email", f"{_officer['username']}@phutho.example.vn")

CITIZENS = thanh_ba_2021.CITIZENS

#: Which Thanh Ba communes form which new commune (illustrative split, not the official one).
_INTO_THANH_BA = [
    "Thanh Ba", "Đỗ Sơn", "Đỗ Xuyên", "Lương Lỗ", "Hanh Cù",
    "Yển Khê", "Vân Lĩnh", "Đông Lĩnh", "Quảng Yên", "Ninh Dân",
]  # fmt: skip
_INTO_HOANG_CUONG = [
    "Đông Thành", "Chí Tiên", "Sơn Cương", "Thanh Hà", "Khải Xuân",
    "Võ Lao", "Đại An", "Năng Yên", "Hoàng Cương",
]  # fmt: skip

#: Applied by the loader once every code in ``requires`` exists (either load order works).
REFORMS: list[dict] = [
    {
        "name": "Sắp xếp đơn vị hành chính huyện Thanh Ba (01/07/2025, minh họa)",
        "requires": [thanh_ba_2021.DISTRICT_CODE, THANH_BA_CODE, HOANG_CUONG_CODE],
        "effective_date": REFORM_DATE,
        "decision": REFORM_DECISION,
        "merges": [
            {
                "target": THANH_BA_CODE,
                "sources": [thanh_ba_2021.COMMUNE_CODES[n] for n in _INTO_THANH_BA],
            },
            {
                "target": HOANG_CUONG_CODE,
                "sources": [thanh_ba_2021.COMMUNE_CODES[n] for n in _INTO_HOANG_CUONG],
            },
        ],
        # The district is abolished after its communes merged: its departments and one-stop
        # centre end with it; its open work (bridge points, officers' roles) goes to xã Thanh
        # Ba, seated in the former district town.
        "dissolve": {
            "agency": thanh_ba_2021.DISTRICT_CODE,
            "new_parent": PROVINCE_CODE,
            "successor": THANH_BA_CODE,
        },
    },
]
