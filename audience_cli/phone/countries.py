"""The country of a row: a country cell (ISO code, English name, calling code) as the
region its national numbers are read in, from a table of every region of the number plan."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple

from audience_cli.phone.normalize import _PUNCTUATION, _REGION_ALIASES


@lru_cache(maxsize=1024)
def region_for_country(value: str) -> str | None:
    """The region (ISO code) a country cell names, or None when it names none known.

    Reads ISO 3166 alpha-2 codes ("US", "gb"; "UK" too), alpha-3 codes ("USA",
    "DEU"), English names ("United States of America", "Côte d'Ivoire", "St.
    Lucia"), a few native names ("Deutschland", "España") and calling codes
    ("+44", "44", "0044"; "+1" and "001" are US, the main region of +1). A calling
    code without a region (+800) names none.
    """
    text = value.strip()
    compact = _PUNCTUATION.sub("", text)
    if not compact:
        return None
    if compact[0] in "+\uff0b" or compact.isdigit():
        digits = compact.lstrip("+\uff0b")
        if digits.startswith("00"):
            digits = digits[2:]
        if not (digits.isascii() and digits.isdigit()) or not 1 <= len(digits) <= 3:
            return None
        import phonenumbers

        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits), ())
        return regions[0] if regions and regions[0] != "001" else None
    upper = text.upper()
    if len(upper) == 2 and upper.isascii() and upper.isalpha():
        code = _REGION_ALIASES.get(upper, upper)
        return code if code in _countries().regions else None
    if len(upper) == 3 and upper in _countries().alpha3:
        return _countries().alpha3[upper]
    return _countries().names.get(country_key(text))


def country_key(name: str) -> str:
    """A country name for matching: lower case, no accents or punctuation, "the" and
    "and"/"&" alike dropped, "St." as "saint": "The Bahamas" == "bahamas"."""
    folded = unicodedata.normalize("NFKD", name.casefold().replace("&", " and "))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[^\W_]+", plain)
    return "".join("saint" if w in ("st", "ste") else w for w in words if w not in ("the", "and"))


class _Countries(NamedTuple):
    regions: frozenset[str]
    alpha3: dict[str, str]
    names: dict[str, str]  # country_key(name) -> region


@cache
def _countries() -> _Countries:
    regions: set[str] = set()
    alpha3: dict[str, str] = {}
    names: dict[str, str] = {}
    for entry in _COUNTRY_TABLE.replace("\n", " ").split(";"):
        code, three, name = entry.strip().split(" ", 2)
        regions.add(code)
        if three != "-":
            alpha3[three] = code
        names[country_key(name)] = code
    for code, aliases in _COUNTRY_ALIASES.items():
        for alias in aliases:
            names.setdefault(country_key(alias), code)
    return _Countries(frozenset(regions), alpha3, names)


# Every region of the number plan (`phonenumbers.SUPPORTED_REGIONS`): its ISO 3166
# alpha-2 code, alpha-3 code ("-": none) and English name. Why a table here: Python
# ships no country names; phonenumbers has them (the English names below are its
# `geocoder` names, tests/test_phone.py checks they still agree) but only in
# `phonenumbers.geodata.locale`, which costs ~0.4 s and ~100 MB to import. The
# alpha-3 codes are ISO 3166-1's (XKX: the code in common use for Kosovo).
_COUNTRY_TABLE = """
AC - Ascension Island; AD AND Andorra; AE ARE United Arab Emirates; AF AFG Afghanistan;
AG ATG Antigua and Barbuda; AI AIA Anguilla; AL ALB Albania; AM ARM Armenia; AO AGO Angola;
AR ARG Argentina; AS ASM American Samoa; AT AUT Austria; AU AUS Australia; AW ABW Aruba;
AX ALA Åland Islands; AZ AZE Azerbaijan; BA BIH Bosnia and Herzegovina; BB BRB Barbados;
BD BGD Bangladesh; BE BEL Belgium; BF BFA Burkina Faso; BG BGR Bulgaria; BH BHR Bahrain;
BI BDI Burundi; BJ BEN Benin; BL BLM Saint Barthélemy; BM BMU Bermuda; BN BRN Brunei;
BO BOL Bolivia; BQ BES Bonaire, Sint Eustatius and Saba; BR BRA Brazil; BS BHS Bahamas;
BT BTN Bhutan; BW BWA Botswana; BY BLR Belarus; BZ BLZ Belize; CA CAN Canada;
CC CCK Cocos Islands; CD COD The Democratic Republic Of Congo;
CF CAF Central African Republic; CG COG Congo; CH CHE Switzerland; CI CIV Côte d'Ivoire;
CK COK Cook Islands; CL CHL Chile; CM CMR Cameroon; CN CHN China; CO COL Colombia;
CR CRI Costa Rica; CU CUB Cuba; CV CPV Cape Verde; CW CUW Curaçao; CX CXR Christmas Island;
CY CYP Cyprus; CZ CZE Czech Republic; DE DEU Germany; DJ DJI Djibouti; DK DNK Denmark;
DM DMA Dominica; DO DOM Dominican Republic; DZ DZA Algeria; EC ECU Ecuador; EE EST Estonia;
EG EGY Egypt; EH ESH Western Sahara; ER ERI Eritrea; ES ESP Spain; ET ETH Ethiopia;
FI FIN Finland; FJ FJI Fiji; FK FLK Falkland Islands; FM FSM Micronesia;
FO FRO Faroe Islands; FR FRA France; GA GAB Gabon; GB GBR United Kingdom; GD GRD Grenada;
GE GEO Georgia; GF GUF French Guiana; GG GGY Guernsey; GH GHA Ghana; GI GIB Gibraltar;
GL GRL Greenland; GM GMB Gambia; GN GIN Guinea; GP GLP Guadeloupe;
GQ GNQ Equatorial Guinea; GR GRC Greece; GT GTM Guatemala; GU GUM Guam;
GW GNB Guinea-Bissau; GY GUY Guyana; HK HKG Hong Kong; HN HND Honduras; HR HRV Croatia;
HT HTI Haiti; HU HUN Hungary; ID IDN Indonesia; IE IRL Ireland; IL ISR Israel;
IM IMN Isle Of Man; IN IND India; IO IOT British Indian Ocean Territory; IQ IRQ Iraq;
IR IRN Iran; IS ISL Iceland; IT ITA Italy; JE JEY Jersey; JM JAM Jamaica; JO JOR Jordan;
JP JPN Japan; KE KEN Kenya; KG KGZ Kyrgyzstan; KH KHM Cambodia; KI KIR Kiribati;
KM COM Comoros; KN KNA Saint Kitts And Nevis; KP PRK North Korea; KR KOR South Korea;
KW KWT Kuwait; KY CYM Cayman Islands; KZ KAZ Kazakhstan; LA LAO Laos; LB LBN Lebanon;
LC LCA Saint Lucia; LI LIE Liechtenstein; LK LKA Sri Lanka; LR LBR Liberia; LS LSO Lesotho;
LT LTU Lithuania; LU LUX Luxembourg; LV LVA Latvia; LY LBY Libya; MA MAR Morocco;
MC MCO Monaco; MD MDA Moldova; ME MNE Montenegro; MF MAF Saint Martin; MG MDG Madagascar;
MH MHL Marshall Islands; MK MKD Macedonia; ML MLI Mali; MM MMR Myanmar; MN MNG Mongolia;
MO MAC Macao; MP MNP Northern Mariana Islands; MQ MTQ Martinique; MR MRT Mauritania;
MS MSR Montserrat; MT MLT Malta; MU MUS Mauritius; MV MDV Maldives; MW MWI Malawi;
MX MEX Mexico; MY MYS Malaysia; MZ MOZ Mozambique; NA NAM Namibia; NC NCL New Caledonia;
NE NER Niger; NF NFK Norfolk Island; NG NGA Nigeria; NI NIC Nicaragua; NL NLD Netherlands;
NO NOR Norway; NP NPL Nepal; NR NRU Nauru; NU NIU Niue; NZ NZL New Zealand; OM OMN Oman;
PA PAN Panama; PE PER Peru; PF PYF French Polynesia; PG PNG Papua New Guinea;
PH PHL Philippines; PK PAK Pakistan; PL POL Poland; PM SPM Saint Pierre And Miquelon;
PR PRI Puerto Rico; PS PSE Palestine; PT PRT Portugal; PW PLW Palau; PY PRY Paraguay;
QA QAT Qatar; RE REU Reunion; RO ROU Romania; RS SRB Serbia; RU RUS Russia; RW RWA Rwanda;
SA SAU Saudi Arabia; SB SLB Solomon Islands; SC SYC Seychelles; SD SDN Sudan;
SE SWE Sweden; SG SGP Singapore; SH SHN Saint Helena; SI SVN Slovenia;
SJ SJM Svalbard And Jan Mayen; SK SVK Slovakia; SL SLE Sierra Leone; SM SMR San Marino;
SN SEN Senegal; SO SOM Somalia; SR SUR Suriname; SS SSD South Sudan;
ST STP Sao Tome And Principe; SV SLV El Salvador; SX SXM Sint Maarten (Dutch part);
SY SYR Syria; SZ SWZ Swaziland; TA - Tristan da Cunha; TC TCA Turks And Caicos Islands;
TD TCD Chad; TG TGO Togo; TH THA Thailand; TJ TJK Tajikistan; TK TKL Tokelau;
TL TLS Timor-Leste; TM TKM Turkmenistan; TN TUN Tunisia; TO TON Tonga; TR TUR Turkey;
TT TTO Trinidad and Tobago; TV TUV Tuvalu; TW TWN Taiwan; TZ TZA Tanzania; UA UKR Ukraine;
UG UGA Uganda; US USA United States; UY URY Uruguay; UZ UZB Uzbekistan; VA VAT Vatican;
VC VCT Saint Vincent And The Grenadines; VE VEN Venezuela; VG VGB British Virgin Islands;
VI VIR U.S. Virgin Islands; VN VNM Vietnam; VU VUT Vanuatu; WF WLF Wallis And Futuna;
WS WSM Samoa; XK XKX Kosovo; YE YEM Yemen; YT MYT Mayotte; ZA ZAF South Africa;
ZM ZMB Zambia; ZW ZWE Zimbabwe
"""

# Other names of a region people write in a country column: official and short
# forms, ISO's "Name, Republic of" forms, and the commonest native names.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.", "U.S.A.", "United States of America", "America"),
    "GB": (
        "UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
        "Northern Ireland", "United Kingdom of Great Britain and Northern Ireland",
    ),
    "KR": ("Korea", "Republic of Korea", "Korea, Republic of", "Korea (South)"),
    "KP": ("Korea, Democratic People's Republic of", "DPRK", "Korea (North)"),
    "RU": ("Russian Federation", "Rossiya"),
    "CZ": ("Czechia", "Česko", "Česká republika"),
    "MK": ("North Macedonia", "Macedonia, the former Yugoslav Republic of"),
    "SZ": ("Eswatini",),
    "TR": ("Türkiye", "Turkiye"),
    "CV": ("Cabo Verde",),
    "CI": ("Ivory Coast",),
    "CD": (
        "DR Congo", "DRC", "Democratic Republic of the Congo", "Congo-Kinshasa",
        "Congo, The Democratic Republic of the",
    ),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "MM": ("Burma",),
    "VN": ("Viet Nam",),
    "LA": ("Lao People's Democratic Republic",),
    "IR": ("Iran, Islamic Republic of",),
    "SY": ("Syrian Arab Republic",),
    "TZ": ("Tanzania, United Republic of",),
    "VE": ("Venezuela, Bolivarian Republic of",),
    "BO": ("Bolivia, Plurinational State of",),
    "MD": ("Moldova, Republic of",),
    "TW": ("Taiwan, Province of China", "Republic of China"),
    "PS": ("Palestine, State of", "Palestinian Territories"),
    "VA": ("Holy See", "Vatican City"),
    "AE": ("UAE", "Emirates"),
    "NL": ("Holland", "Nederland"),
    "FM": ("Micronesia, Federated States of",),
    "HK": ("Hong Kong SAR",),
    "MO": ("Macau", "Macao SAR"),
    "BN": ("Brunei Darussalam",),
    "FK": ("Falkland Islands (Malvinas)",),
    "CC": ("Cocos (Keeling) Islands",),
    "VI": ("US Virgin Islands", "Virgin Islands, U.S."),
    "VG": ("Virgin Islands, British",),
    "TL": ("East Timor",),
    "SH": ("Saint Helena, Ascension and Tristan da Cunha",),
    "AC": ("Ascension",),
    "DE": ("Deutschland",),
    "ES": ("España",),
    "IT": ("Italia",),
    "BR": ("Brasil",),
    "MX": ("México",),
    "AT": ("Österreich",),
    "CH": ("Schweiz", "Suisse", "Svizzera"),
    "SE": ("Sverige",),
    "NO": ("Norge",),
    "DK": ("Danmark",),
    "FI": ("Suomi",),
    "PL": ("Polska",),
    "BE": ("Belgique", "België"),
    "HU": ("Magyarország",),
    "GR": ("Hellas", "Ellada"),
    "IE": ("Éire", "Republic of Ireland"),
    "HR": ("Hrvatska",),
    "IN": ("Bharat",),
    "JP": ("Nippon", "Nihon"),
    "CN": ("People's Republic of China", "PRC"),
}  # fmt: skip
