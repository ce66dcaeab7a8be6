"""A small Dutch learning-community corpus with its filter attributes and plain answers.

Shared by the tests (imported as `dutch_corpus`) and by the fixtures in conftest.py.
"""

from __future__ import annotations

#: Challenges and offers as they appear in a learning community, one per id.
CORPUS: dict[str, str] = {
    "warmtepomp": "Installatiebedrijf zoekt een mbo-student die warmtepompen kan installeren bij "
    "woningen en bewoners adviseert over energie besparen.",
    "zonnepanelen": "Een installateur van zonnepanelen zoekt hulp bij het plannen van de montage "
    "op daken van bedrijfshallen.",
    "biobased": "Biobased bouwen: onderzoek naar isolatie met hennep, stro en hout voor duurzame "
    "woningbouw.",
    "zorg": "Een zorginstelling zoekt studenten die ouderen in het verpleeghuis helpen met "
    "dagbesteding.",
    "boekhouding": "Accountantskantoor zoekt een stagiair voor de boekhouding en het opstellen van "
    "jaarrekeningen van kleine ondernemers.",
    "bim": "Bouwbedrijf wil een BIM-model maken van een school voor de renovatie en de planning "
    "van het werk.",
    "python": "Data-analyse met Python en pandas: voorspel het stroomverbruik van een mkb-bedrijf "
    "uit meterdata.",
    "lectoraat": "Lectoraat Duurzame Energie zoekt studenten voor onderzoek naar de "
    "energietransitie in bedrijventerreinen.",
    "marketing": "Webshop zoekt een student voor marketing via sociale media en het schrijven van "
    "teksten.",
    "horeca": "Restaurant zoekt koks in opleiding voor de keuken en de bediening op drukke "
    "avonden.",
}

#: Hard-filter attributes of each row: one level, one or more languages.
ATTRIBUTES: dict[str, dict[str, str | list[str]]] = {
    "warmtepomp": {"level": "mbo", "language": ["nl"]},
    "zonnepanelen": {"level": "mbo", "language": ["nl", "en"]},
    "biobased": {"level": "wo", "language": ["nl", "en"]},
    "zorg": {"level": "mbo", "language": ["nl"]},
    "boekhouding": {"level": "hbo", "language": ["nl"]},
    "bim": {"level": "hbo", "language": ["nl", "en"]},
    "python": {"level": "hbo", "language": ["en"]},
    "lectoraat": {"level": "wo", "language": ["nl", "en"]},
    "marketing": {"level": "hbo", "language": ["nl"]},
    "horeca": {"level": "mbo", "language": ["nl"]},
}

#: Queries whose right answer in CORPUS is plain to a reader, with that answer.
QUERIES: dict[str, str] = {
    "warmtepompen installeren bij woningen": "warmtepomp",
    "boekhouding en jaarrekening": "boekhouding",
    "zorg voor ouderen": "zorg",
    "Python data-analyse": "python",
    "onderzoek naar isolatie met hennep": "biobased",
    "een BIM model voor renovatie": "bim",
    "koks voor de keuken van een restaurant": "horeca",
}

HEAT_PUMP_SKILL = "http://data.europa.eu/esco/skill/00735755-adc6-4ea0-b034-b8caff339c9f"
PYTHON_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
