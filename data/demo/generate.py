#!/usr/bin/env python3
"""Generate the Dutch demo data set of lcmatch into data/demo/*.json.

Run from anywhere: ``python data/demo/generate.py`` (standard library only).

The rich parts are hand-written: the communities, organisations, research groups and users
below and the 80 SME challenges in ``challenges_source.json``. Only the 300 students are
generated, by combining hand-written material per programme with ``random.Random(42)``, so
every run writes byte-identical files. All persons and companies are fictional; the schools,
hogescholen and universities are fictional too, named after the kind of institution found in
each region.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

T = TypeVar("T")

HERE = Path(__file__).resolve().parent
SEED = 42
ESCO_PREFIX = "http://data.europa.eu/esco/skill/"
# Every date in the set falls in these two years, so the demo stays "current" for 2026-2027.
FIRST_DAY, LAST_DAY = dt.date(2026, 1, 1), dt.date(2027, 12, 31)

# --------------------------------------------------------------------------------------------
# Skills. The keys are Dutch labels exactly as they appear in `label_nl` of the ESCO v1.1.1
# skill list, so the engine's ESCO tagger recognises them; the value is the id part of the
# ESCO URI. A few skills that SMEs really ask for have no Dutch ESCO label; they map to None
# and are written with "esco_uri": null. An unknown label is an error, which catches typos.
# --------------------------------------------------------------------------------------------
ESCO_SKILLS: dict[str, str] = {
    # installatie en energie
    "warmtepompen installeren": "00735755-adc6-4ea0-b034-b8caff339c9f",
    "zonneboilers installeren": "2a74063a-d4b1-42fb-bc90-cb8c06ff53ec",
    "ventilatie-apparatuur installeren": "a6c71ced-4224-412e-9abc-75a3edc3b5fc",
    "verwarmingsketels installeren": "592188c6-7212-47bb-ba58-f9361026addc",
    "vloer- en muurverwarming installeren": "814f3782-62cb-4af8-8b13-98a71c5f60a2",
    "fotovoltaïsche systemen onderhouden": "33784b61-bd86-4451-8a89-741ada5f8475",
    "energieaudit uitvoeren": "0ad6d5e8-593f-4191-843c-439b23a468ca",
    "energieverbruik analyseren": "29bfe2cd-f011-4f94-a3aa-f77768e60460",
    "energieprestaties van gebouwen": "4e09e2d2-e317-47d2-bf5e-1d6c66be3efc",
    "energie-efficiëntie": "83fc0b2b-6cd2-46af-b1ff-d3fc83604c26",
    "advies geven over energie-efficiëntie van verwarmingssystemen": (
        "8614b988-b907-473e-a701-47b525959dc8"
    ),
    "technologieën voor hernieuwbare energie": "f8413360-6114-40de-a276-c59b764b9913",
    "zonne-energie": "05e5e14f-ffa6-4106-b311-c6335ccc2bd2",
    "ventilatiesystemen": "539edd73-5c9b-4498-96f2-68a9cd2e6073",
    "koelmiddelen": "0b95eb5d-f3eb-4387-a0bb-094a394196c7",
    "onderdelen voor verwarming, ventilatie, klimaatregeling en koeling": (
        "aba2e61d-ef78-45bd-a9bc-392a718d4877"
    ),
    "automatisering in gebouwen": "6709e92c-7546-46a4-aa57-5e951bd4cb0f",
    "elektrische apparatuur testen": "3f6dc31c-ceef-4e93-9d8a-b4b862cf9b51",
    "elektrische apparatuur onderhouden": "386774ac-fe5b-431a-b485-9aec0bf5c09e",
    "elektrotechniek": "3e40c7d0-0e36-4b33-bc33-0aa87eda0561",
    "schema's voor elektrische bedrading maken": "1f1cdba2-4887-45ef-9eb0-235e7f63fa8b",
    "storingen aan apparatuur oplossen": "1de6b87b-2c7d-49aa-bcc0-3b2ef75f064f",
    "technische problemen oplossen": "14832d87-2f2f-4895-b290-e4760ebae42a",
    "gegevens van onderhoudsinterventies bijhouden": "182915aa-3470-433a-9b12-347511befcde",
    "onderhoudsactiviteiten plannen": "649b00ec-a70d-4b3a-ae2e-5662964b0fb8",
    "regelsystemen": "4ff549c3-daa5-4def-9916-301c7bdf13b8",
    "programmeerbare logische besturingseenheid": "6468e5fb-f3be-4025-87be-4b6556755c61",
    "energietechniek": "dd6e5939-d19b-4e2f-a025-2014f0a2ec88",
    "warmteoverdrachtprocessen": "cf9a4613-ff8a-40a7-931f-c6fba2cc3d50",
    "thermodynamica": "857e8624-4db0-4725-a758-5914bd8cc350",
    "industriële verwarmingssystemen": "c49eb4a4-7b5f-44e6-b346-7153879ac86b",
    "energiebeheer van installaties uitvoeren": "885808f7-f42b-406e-95f2-28efcd45ddda",
    "energiemarkt": "071c7f1d-f659-4b96-a222-b21012297f3b",
    "voorzien in energiedistributie": "f8b05146-5ffc-44a9-846b-63e3ad1fe187",
    # bouw en biobased
    "soorten isolatiemateriaal": "0d0fe364-462d-48dd-b54b-e972e2bdecb1",
    "isolatiemateriaal installeren": "7eea6974-d606-4175-b95e-f66554816783",
    "houten elementen in constructies installeren": "11c0bfec-6bc8-4ec0-a535-91bd65be92c5",
    "houtverduurzaming": "6044d62b-7499-4c5d-81ae-2fea443013b2",
    "timmerhoutproducten": "2336b108-a59b-4ff0-84c4-d838b4d297bd",
    "bouwproducten": "5ac07f1a-6436-4103-b891-c59a7ac505f0",
    "materiaalkunde": "142f3f7f-f15f-412e-a5fe-f75755b5dbe0",
    "materialen testen": "0415142d-6921-4f8d-832b-6271382b8193",
    "monsters van bouwmaterialen testen": "676807c0-348d-452e-8eab-40fb7b9e1594",
    "principes voor bouwconstructie": "6c190890-d5ab-46ab-915b-04e995dc0d76",
    "technische tekeningen": "59ea80e1-463a-4dba-82c6-d0b6d577d532",
    "technische tekeningen maken": "5c98825f-146d-4d35-97cf-207b2afd9ae2",
    "AutoCAD-tekeningen maken": "76415d7f-0fde-4364-b45f-5c044580d2aa",
    "CADD-software gebruiken": "54ddd422-5905-44db-93d4-03b17b913c5e",
    "gebouwen ontwerpen": "7c3cde53-9ff7-4e82-8396-13fdfadd3432",
    "voldoen aan bouwvoorschriften": "4ccf7d02-764c-4129-a1df-fa1dd2e12647",
    "vochtproblemen in gebouwen beheersen": "18226538-812b-4b59-a361-cdd58d76673d",
    "condensatieproblemen vaststellen": "8f8fbcd8-d29b-43c4-a27b-8035b91f6ded",
    "gebouwen renoveren": "34921476-4b44-4912-bc6b-bc7c47cf69d9",
    "benodigde bouwmaterialen berekenen": "5d9dd44a-81f8-4710-bd4d-af27ec5c2139",
    "kostenbeheer": "7d35602d-bc94-4975-aa7c-f4e8e05ce8e0",
    "toezicht houden op bouwprojecten": "1de548e0-9535-4d2e-9d20-d4474c1ea813",
    "werken in een bouwteam": "4fa2d6ba-4fff-4f21-bddd-4a54ae840955",
    "communiceren met bouwvakkers": "32abc65b-333e-4af8-88df-ae2938018fb9",
    "levenscyclus van hulpbronnen beoordelen": "4e87c852-602a-4a0e-b8d8-20709ce14ac5",
    "duurzaamheid promoten": "469e19ed-a0bd-445a-ae2d-4ba9430e296b",
    "biomassaconversie": "b115cabc-c030-45b2-ac8e-922d45716183",
    "afvalbeheer": "40f65a56-ccbe-4601-9f32-1cc6cdd24f28",
    "gewassen telen voor biomassa": "072f35a1-98e7-4a6c-9a19-474ace5644da",
    "biogasinstallaties bedienen": "0e81fcff-2fb5-4c87-afc2-49b5e5d9db50",
    "ecologische beginselen": "62685d7a-a8be-4070-89e9-8699ad1201b6",
    "gevolgen voor het milieu beoordelen": "e541c69c-ea80-4b17-87cb-4001d0b9d303",
    "milieuwetgeving": "6f5850ea-5785-4e2c-b062-743066fd5bdb",
    "emissienormen": "2bdc2f65-b42f-4963-abff-d7214ca4caae",
    "recycleprogramma’s ontwikkelen": "862920c8-f2d0-4058-8fb8-9f06fbfc2446",
    "stedelijke planning": "7f18039d-dfae-471b-9daa-507f6b2d2842",
    "geografische informatiesystemen gebruiken": "440f64e5-e66c-45ee-bc29-53c14a2ad720",
    # chemie, lab en proces
    "laboratoriumproeven uitvoeren": "0b917c3e-e49f-40d9-8f95-3bc8e9c06fd2",
    "chemische experimenten uitvoeren": "50f8b1de-747c-4967-9732-3db89c365261",
    "chemische stoffen analyseren": "39aa5571-45ce-4ba3-a280-f6870ef0075f",
    "goede laboratoriumpraktĳk": "1618ee1c-6753-456e-a171-3d7e5f75404a",
    "chemische processen verbeteren": "451c8010-7dbb-4f96-b4d4-0955766d9eff",
    "fermentatie op productieschaal": "4c6a266f-928a-4511-8262-b4155b9235c4",
    "monsters voor analyse verzamelen": "4bbb309f-9162-49b9-93da-fb2c371e5c5f",
    "analyseresultaten rapporteren": "c544a9f3-5945-4b54-afed-de0697852817",
    "hogedrukvloeistofchromatografie": "56d88178-99d4-400d-9415-d700ce6a29f3",
    "veilig met chemicaliën werken": "89d2bb53-67fc-4b9e-80c7-07b6c587bc0d",
    "automatische procesbesturing toepassen": "0a0532c2-ee60-4410-8e07-70e4d69370ec",
    "statistische procesbeheersing": "0c77bcd5-b94a-475d-98e9-5a4327e4d726",
    "productieprocessen": "12c7b323-d870-4f5b-9d7d-d9f525206d77",
    "kunststof bewerken": "1aef21e0-ed3a-4c1b-9f78-39892d47828b",
    "kwaliteit van producten controleren": "1a3660c2-011c-4e96-9b1d-529afc305428",
    "procedures voor kwaliteitscontrole": "1177c6f5-09c5-4c35-873c-afd22d170ad3",
    # logistiek
    "logistiek": "e843973c-23dd-416a-8a9c-9e89512542fb",
    "logistieke behoeftes analyseren": "8029637c-00eb-4764-ae88-387611176c4b",
    "efficiëntieplannen voor logistieke operaties ontwikkelen": (
        "f672b7a0-698e-45f1-a102-51adeaf89200"
    ),
    "multimodale vervoerslogistiek": "4d6a1837-93df-4a81-b424-74e1a8ed2f03",
    "havenactiviteiten beheren": "94f5e909-48c5-4782-9005-84d793dd01ba",
    "vervoerskosten analyseren": "620b7a6a-2231-4fea-b175-fd7ff16cce0a",
    # ict en data
    "computerprogrammering": "21d2f96d-35f7-4e3f-9745-c533d2dd6e97",
    "Python (computerprogrammering)": "ccd0a1d9-afda-43d9-b901-96344886e14d",
    "Java (computerprogrammering)": "19a8293b-8e95-4de3-983f-77484079c389",
    "JavaScript": "3cd569a2-4f88-4c1e-9995-8dce8c5e51a7",
    "C#": "4c016b68-4116-468c-9dc6-42710c239e4a",
    "PHP": "4350c38d-0fe9-4ca7-bab9-40ed7f72b04f",
    "CSS": "e5d1f825-60ed-4bdd-872a-e748c387f777",
    "SQL": "598de5b0-5b58-4ea7-8058-a4bc4d18c742",
    "databases beheren": "29fb0fb5-dfc4-4098-ac9b-3a712000f48f",
    "gegevensmodellen": "fecf8a0d-62c4-4e71-9b03-0f4fc2ad7bf5",
    "gegevensanalyses uitvoeren": "2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f",
    "grote hoeveelheden gegevens analyseren": "47a49cd6-097d-457a-9f7b-c290c14930d5",
    "statistische patronen identificeren": "06670261-ea6b-4b52-a915-c7d4ff837f74",
    "technieken toepassen voor statistische analyses": "382c11ed-20d5-4ae7-b60e-15fec527fa6c",
    "voorspellende modellen bouwen": "38d49d88-9069-467b-b29e-3cae739bdd4d",
    "datamining": "25f0ea33-b4a2-4f31-b7b4-7d20e827b180",
    "webanalyse": "1605025e-a179-421f-8f35-5b07d182a6b2",
    "softwaredesign creëren": "3bddfd7c-ab6d-40c2-883d-5e97fb7640ba",
    "ontwerppatronen voor softwaregebruikersinterfaces": "1019423b-3368-4f83-b24f-19e5fa23e816",
    "ontwerp van front-endwebsites implementeren": "c4b1f326-224a-420a-b8b3-814a8f13b6cb",
    "websiteontwerp creëren": "f0f5bb34-71df-4715-9c9e-03567b76ec8f",
    "websitegebruikers onderzoeken": "5e14de3d-d055-427e-9f5b-eb068f56b019",
    "ICT-toegankelijkheidsstandaarden": "3e23db60-0c3d-498a-a6ac-ffbed0ecb033",
    "ICT-problemen oplossen": "744442ac-c157-4350-8be0-ce454df4f5c5",
    "ICT-systeemgebruikers ondersteunen": "db36f7f1-5900-45bd-9ffb-f2b19c4362ac",
    "ICT-systeem beheren": "0868eef3-2213-4572-9343-74931345a7d3",
    "strategie voor informatiebeveiliging": "11eebd42-44ab-401d-8a2c-bdb9fc9beb50",
    "cyberbeveiliging": "8088750d-8388-4170-a76f-48354c469c44",
    "cloudtechnologieën": "bd14968e-e409-45af-b362-3495ed7b10e0",
    "bedrijfsprocessen analyseren": "56042303-972b-41be-9310-58467599ff7e",
    "modellering van bedrijfsprocessen": "98301d4a-2cc3-439d-8d7f-0b6ac76302bb",
    "systeemanalyses uitvoeren": "3f86173d-e101-4fcd-934f-ff9de29c081c",
    "flexibel projectbeheer": "0a9acb6b-1139-4be9-b431-3a80a959f2f4",
    "ict-projectbeheer": "94dd823c-148e-4614-a6e8-99249b16357d",
    "samenwerken met behulp van digitale technologieën": "2b34a99f-9813-4c91-9509-b6b9b8c3132e",
    "digitale vaardigheidskloven herkennen": "238343b1-7b51-42b3-a9ed-cf24d3a236e7",
    "creatief gebruikmaken van digitale technologieën": "1a4cc54f-1e53-442b-a6d2-1682dc8ef8f9",
    "technieken voor digitale marketing": "43dfbe7f-9e10-4871-b171-e5076737b4cf",
    "beheer van sociale media": "5303169c-75d6-4751-9136-a4b88343388c",
    "3D-modellering": "97965983-0da4-4902-9daf-d5cd2693ef73",
    # ontwerp
    "ontwerpbeginselen": "4c58528e-bdaa-43ad-8f5a-8ad0b8cd4bbb",
    "productontwerpen ontwikkelen": "fd4386c5-96f0-4c6e-970c-c08729ae0cc6",
    "prototypes ontwerpen": "bacbfc27-4b5d-47de-8bfd-af5fa27562a2",
    "fysiek model van een product bouwen": "6ed67cf0-d8b9-4025-8b6e-a29a11e6b977",
    "gespecialiseerde ontwerpsoftware gebruiken": "3c1af34b-4562-4c39-a30e-0812b84a147e",
    "grafisch ontwerp": "7fb699d9-182a-430e-b7a0-6d8ed05c284b",
    "verpakkingen ontwerpen": "0b16ebec-1fd8-41c8-a1b9-bbe91a1cc1b8",
    "ergonomie": "fbdbed1c-442a-47b3-a26f-0e867d82bbea",
    # zorg en vitaliteit
    "gezond gedrag stimuleren": "09d48285-7d78-4f27-878c-e54fd0c75cee",
    "voorlichten over preventie van ziekte": "097098fc-6d89-44e9-9305-98ac5c0a78ac",
    "klanten inlichten over voordelen van een gezonde levensstijl": (
        "45692043-db59-4e26-a965-8f2f6189a52b"
    ),
    "gezondheid en veiligheid op de werkplek": "198b614d-a9af-46f5-b3fd-2672b401dd8e",
    "ergonomie van de werkplek beoordelen": "d3a0f1fd-3a6e-452c-84a2-dc594b403a18",
    "professionele zorg bieden bij verpleging": "1023ac61-250f-4eef-b7a9-238cf071685f",
    "zorgen voor ouderen": "261e740b-d32d-4356-94a8-3ea29128b70b",
    "meeleven met gebruikers van gezondheidszorg": "2475cd27-8d6c-4318-a364-21395b23acba",
    "bewegingsfysiologie": "2aa8d1eb-4c9f-4ba8-bb53-e35ed36fb14b",
    "voeding": "13d96098-2ff0-46b8-b326-b7c0e18cc1f1",
    "geestelijke gezondheidsproblemen identificeren": "7d8ca06a-f737-4927-96f2-de4f2cd15895",
    "individuele trainingsprogramma's bieden": "e402a6d8-0ca8-4230-9bbe-c559a80b7624",
    "sporttrainingsprogramma's uitvoeren": "9bb41cd3-eb0e-4fb3-a345-c9c6ed5d43dd",
    "elektronische systemen gebruiken voor het beheer van gezondheidsgegevens": (
        "53141450-2fa9-4890-a64e-7ffd4e1144be"
    ),
    "dienstroosters opstellen": "a9e4a63b-6b88-44f6-b37f-94309856f5ba",
    # hr en organisatie
    "personeelszaken beheren": "279a4b1d-21df-4d78-9f4d-324c73fd7536",
    "personeel aanwerven": "496932f1-0b6b-4f73-9432-d95c7ddcd43b",
    "talent identificeren": "301bcf97-4444-461d-82a5-78f3830f9185",
    "medewerkers begeleiden": "0cc9c234-f817-4f4c-908a-4d28fe3b0f4a",
    "individuele werknemers begeleiden": "fb9c12af-ec45-498a-8e52-891371191557",
    "werknemers opleiden": "e54ff029-1ce9-447d-a5b2-eb7283a23e6e",
    "opleidingsbehoeften identificeren": "4dafe480-f2ae-46b5-bd5e-8d4e538f50c7",
    "opleidingsprogramma’s ontwikkelen": "517f678e-001b-4985-acb4-9edc3500d74c",
    "nieuwe werknemers voorstellen": "9d9ba780-4aa2-43d2-888c-95a41a713fb9",
    "veranderingsmanagement toepassen": "3c03ee71-4a23-448f-b79e-81fd75d27dca",
    "communicatiestrategieën ontwikkelen": "3c834f6e-523a-49ee-8ed1-e073e28ae6fe",
    # bedrijf en markt
    "marktonderzoek uitvoeren": "fe39d4db-4cb5-4299-bb9f-896c8fd6ab13",
    "marketingstrategieën plannen": "08fd2839-670c-4f16-8024-97437f2035ab",
    "klantwensen identificeren": "0e0c9c11-b39e-43cf-ba95-2fe646f5de64",
    "analyses van de behoeften van klanten uitvoeren": "31c83903-8fc8-4bd8-9ca4-7a98a9c31eae",
    "communiceren met klanten": "0da516ee-e70e-4384-be13-f5ff80be8127",
    "klantenservice verlenen": "75dfe1ee-5935-42ce-b820-697f827825c3",
    "bedrijfsdoelstellingen analyseren": "408fcc8e-d4e6-43e7-ab27-b617a1dced98",
    "kosten-batenanalyserapporten verstrekken": "48b68726-0fd6-4e03-a5eb-82236516ee7a",
    "boekhoudsystemen gebruiken": "a0d79341-8398-4019-ad1b-27888ec35aaa",
    "subsidies zoeken": "0ffce932-cec4-4fec-87e6-df23fb6bdc12",
    "relaties met leveranciers onderhouden": "3cd35f5d-ce6d-4f14-9a09-53d7a28d834c",
    "strategische planning": "949ced5f-7536-4614-ac60-563ffc91a2f2",
    "projectbeheer": "7111b95d-0ce3-441a-9d92-4c75d05c4388",
    "procesoptimalisering leiden": "10026df1-670d-4c75-b3d5-ee0037f9d59b",
    "sober projectbeheer": "da6393d5-a53c-4863-abc7-51f36281d74e",
    "kwaliteit beheren": "35ebe444-9ece-4fbc-a55d-e99ea37267ae",
    "risicoanalyses uitvoeren": "1dd23dba-dd00-45ab-abf4-642902538317",
    # onderzoek en algemeen
    "wetenschappelijke onderzoeksmethodologie": "ed3f3dba-3a35-4ed5-b113-67f4d10ef4c8",
    "wetenschappelijke gegevens analyseren": "36ff57b0-637d-4a83-a0e8-d14f86f9f078",
    "onderzoeksinterviews uitvoeren": "896563fc-6255-4419-89c2-ffed30159ad6",
    "vragenlijsten opstellen": "f73ed9e8-65c6-450d-9f19-8f3f8266689c",
    "focusgroepen interviewen": "670c79e9-aa33-41ae-9858-573ade0adb89",
    "technische rapporten schrijven": "941364b9-1375-4add-9889-d67bae99bc8c",
    "rapporten presenteren": "d0f2f8a7-d935-4a6d-8e54-dcc3e5e2cbeb",
    "presentatiemateriaal voorbereiden": "1ba59ce0-7fec-434b-8d5c-9b275250a26c",
    "creatief denken": "c624c6a3-b0ba-4a31-a296-0d433fe47e41",
    "oplossingen voor problemen creëren": "03b9b491-fc9b-4868-914a-bf7cd47b5041",
    "problemen kritisch behandelen": "b9f16465-56a9-426b-a047-0f9f1f95ec92",
    "samenwerken met collega’s": "082967d4-b94c-4305-aa13-35a6aa8c5c7c",
    "team leiden": "1f1d2ff8-c4c1-45cc-9812-6a7ee84a73cb",
    "zelfstandig werken": "c29aa9d2-4da8-4bdd-831c-8d4a2fb51730",
    "Engels": "6d3edede-8951-4621-a835-e04323300fa0",
    "Duits": "4812a4ea-dc55-4dc6-b9b0-4a59bba2c647",
    "projectvoortgang documenteren": "4d38b095-6730-4157-9807-8049dd7b43b8",
}

NON_ESCO_SKILLS = (
    "BIM-modellering in Revit",
    "openBIM en IFC",
    "levenscyclusanalyse (LCA)",
    "bouwfysische berekeningen",
    "BENG-berekeningen",
    "warmteverliesberekening",
    "Power BI-dashboards",
    "Excel",
    "circulair ontwerpen",
    "materiaalpaspoorten",
    "werken met natuurlijke koudemiddelen",
    "NEN 1010",
    "energieopslag en netcongestie",
    "duurzame inzetbaarheid",
)


def skill(label: str) -> dict[str, str | None]:
    """Return the skill as {label, esco_uri}; esco_uri is None for a skill outside ESCO."""
    if label in ESCO_SKILLS:
        return {"label": label, "esco_uri": ESCO_PREFIX + ESCO_SKILLS[label]}
    if label in NON_ESCO_SKILLS:
        return {"label": label, "esco_uri": None}
    raise ValueError(f"unknown skill label {label!r}: add it to ESCO_SKILLS or NON_ESCO_SKILLS")


# --------------------------------------------------------------------------------------------
# Communities and themes
# --------------------------------------------------------------------------------------------
BIOBASED = "com-biobased-zuidwest"
TALENTCAMPUS = "com-talentcampus-eemstad"
INSTALLATIE = "com-installatie-leren"
COMMUNITY_ORDER = (BIOBASED, TALENTCAMPUS, INSTALLATIE)

# The one list of theme words. Challenges, students' interests and research groups use the
# same spelling, so a lexical matcher sees "biobased bouwen" on both sides.
THEMES = (
    "duurzaamheid",
    "biobased bouwen",
    "biobased energie",
    "biobased producten",
    "groene chemie",
    "circulariteit",
    "digitalisering",
    "vitaliteit",
    "BIM",
    "goed werkgeverschap",
    "energietransitie",
    "vakmanschap",
)

COMMUNITIES = [
    {
        "id": BIOBASED,
        "name": "Leergemeenschap Biobased Zuidwest",
        "region": "Zeeland en West-Brabant",
        "description": (
            "Regionale leergemeenschap waarin mkb-bedrijven rond de havens van Vlissingen, "
            "Terneuzen en Moerdijk en de Groene Chemie Campus in Bergen op Zoom samenwerken met "
            "studenten en lectoraten. Centraal staan vragen over biobased bouwen, biobased "
            "energie en biobased producten: van vlasisolatie en kalkhennep tot algen, lignine "
            "en groen gas. Ontwikkelingsmaatschappij Schelde-Delta brengt vragen en talent bij "
            "elkaar."
        ),
        "themes": [
            "duurzaamheid",
            "biobased bouwen",
            "biobased energie",
            "biobased producten",
            "groene chemie",
            "circulariteit",
        ],
        "intermediary_organisation_id": "org-ontwikkelingsmaatschappij-schelde-delta",
        "approval_mode": "approval",
    },
    {
        "id": TALENTCAMPUS,
        "name": "Stadsleergemeenschap Talentcampus Eemstad",
        "region": "Amersfoort en Eemland",
        "description": (
            "Stedelijke leergemeenschap die wordt gerund door Talentcampus Eemstad in "
            "Amersfoort. Mkb-bedrijven, zorg- en kinderopvangorganisaties werken samen met "
            "studenten van mbo, hbo en wo aan vragen over digitalisering, vitaliteit, BIM, goed "
            "werkgeverschap en de energietransitie. De talentcampus beoordeelt voorgestelde "
            "matches en legt de eerste contacten."
        ),
        "themes": [
            "digitalisering",
            "vitaliteit",
            "BIM",
            "goed werkgeverschap",
            "energietransitie",
        ],
        "intermediary_organisation_id": "org-talentcampus-eemstad",
        "approval_mode": "approval",
    },
    {
        "id": INSTALLATIE,
        "name": "Micro-leergemeenschappen Installatietechniek",
        "region": "Zuid-Holland, Utrecht, Gelderland en Overijssel",
        "description": (
            "Netwerk van micro-leergemeenschappen binnen installatiebedrijven: kleine groepen "
            "monteurs, studenten, docenten en onderzoekers die op de werkvloer samen leren aan "
            "echte vraagstukken over de energietransitie en circulariteit. Stichting Leren in de "
            "Installatie begeleidt de leergemeenschappen en koppelt studenten en lectoraten aan "
            "de bedrijven."
        ),
        "themes": ["energietransitie", "circulariteit", "vakmanschap"],
        "intermediary_organisation_id": "org-leren-in-de-installatie",
        "approval_mode": "approval",
    },
]


# --------------------------------------------------------------------------------------------
# Organisations: intermediaries, SMEs, education and research. All fictional.
# --------------------------------------------------------------------------------------------
def org(
    org_id: str,
    name: str,
    kind: str,
    communities: list[str],
    city: str,
    description: str,
    employees: int | None = None,
) -> dict:
    """One organisation record; size_employees is only written for SMEs."""
    record = {
        "id": org_id,
        "name": name,
        "kind": kind,
        "community_ids": communities,
        "city": city,
        "description": description,
    }
    if kind == "sme":
        record["size_employees"] = employees
    return record


INTERMEDIARIES = [
    org(
        "org-ontwikkelingsmaatschappij-schelde-delta",
        "Ontwikkelingsmaatschappij Schelde-Delta",
        "intermediary",
        [BIOBASED],
        "Middelburg",
        "Regionale ontwikkelingsmaatschappij die innovatie in de biobased economie van Zeeland "
        "en West-Brabant ondersteunt. Zij coördineert de Leergemeenschap Biobased Zuidwest en "
        "beoordeelt de matches tussen bedrijven, studenten en lectoraten.",
    ),
    org(
        "org-talentcampus-eemstad",
        "Stichting Talentcampus Eemstad",
        "intermediary",
        [TALENTCAMPUS],
        "Amersfoort",
        "Talentcampus in het centrum van Amersfoort waar onderwijs, gemeente en werkgevers "
        "samenwerken aan een sterke regionale arbeidsmarkt. De campus runt de "
        "stadsleergemeenschap en begeleidt studenten en mkb'ers bij hun eerste samenwerking.",
    ),
    org(
        "org-leren-in-de-installatie",
        "Stichting Leren in de Installatie",
        "intermediary",
        [INSTALLATIE],
        "Nieuwegein",
        "Stichting die micro-leergemeenschappen in installatiebedrijven opzet en begeleidt. "
        "Zij brengt monteurs, studenten, docenten en lectoraten samen rond praktijkvragen over "
        "de energietransitie en circulair installeren.",
    ),
]

SMES = [
    # -- Leergemeenschap Biobased Zuidwest ----------------------------------------------------
    org(
        "org-vlasvezel-isolatie",
        "Vlasvezel Isolatie Zeeland B.V.",
        "sme",
        [BIOBASED],
        "Goes",
        "Maakt isolatiedekens en inblaasisolatie van vlas- en hennepvezels die door Zeeuwse "
        "akkerbouwers worden geteeld. Het bedrijf levert aan aannemers, bouwmarkten en "
        "zelfbouwers en wil doorgroeien in de renovatiemarkt.",
        24,
    ),
    org(
        "org-hennepsteen-kruiningen",
        "Hennepsteen Kruiningen B.V.",
        "sme",
        [BIOBASED],
        "Kruiningen",
        "Produceert blokken en prefab wandelementen van kalkhennep. De blokken zijn dampopen, "
        "regelen vocht en slaan CO2 op; het bedrijf werkt aan een nieuwe generatie met een "
        "hogere draagkracht.",
        12,
    ),
    org(
        "org-bouwbedrijf-van-damme",
        "Bouwbedrijf Van Damme & Zn.",
        "sme",
        [BIOBASED],
        "Middelburg",
        "Familiebedrijf in de derde generatie dat woningen bouwt en renoveert op Walcheren en "
        "de Bevelanden. Van Damme wil de komende jaren overstappen op houtskeletbouw en "
        "biobased materialen.",
        45,
    ),
    org(
        "org-algen-sloegebied",
        "Algenkwekerij Sloegebied B.V.",
        "sme",
        [BIOBASED],
        "Vlissingen",
        "Kweekt microalgen in buisreactoren naast een kunstmestfabriek in het havengebied en "
        "gebruikt daarbij de restwarmte en CO2 van de buren. Uit de algen maakt het bedrijf "
        "biostimulanten voor de landbouw en ingrediënten voor diervoeding.",
        9,
    ),
    org(
        "org-ligninelab",
        "Ligninelab Bergen op Zoom B.V.",
        "sme",
        [BIOBASED],
        "Bergen op Zoom",
        "Start-up op de Groene Chemie Campus die bindmiddelen en coatings ontwikkelt uit "
        "lignine, een reststroom van papierfabrieken en bioraffinaderijen. Het team is "
        "internationaal en werkt deels in het Engels.",
        16,
    ),
    org(
        "org-reststroom-kanaalzone",
        "Reststroom Kanaalzone B.V.",
        "sme",
        [BIOBASED],
        "Terneuzen",
        "Vergist aardappelschillen, bietenpulp en andere reststromen van de voedingsindustrie "
        "tot biogas, dat wordt opgewerkt tot groen gas. Het digestaat gaat terug naar de "
        "akkerbouw.",
        30,
    ),
    org(
        "org-sloehaven-logistiek",
        "Sloehaven Logistiek B.V.",
        "sme",
        [BIOBASED],
        "Vlissingen",
        "Slaat droge bulk op in het havengebied van Vlissingen en laadt die over tussen "
        "zeeschip, binnenvaart, trein en vrachtwagen. Houtpellets en andere biomassa zijn een "
        "groeiend deel van de lading.",
        65,
    ),
    org(
        "org-glastuinbouw-kanaalzone",
        "Glastuinbouw Kanaalzone",
        "sme",
        [BIOBASED],
        "Terneuzen",
        "Glastuinbouwbedrijf met twintig hectare tomatenkassen in de Kanaalzone, verwarmd met "
        "restwarmte en voorzien van CO2 uit de nabijgelegen industrie. Het bedrijf wil zo snel "
        "mogelijk volledig aardgasvrij telen.",
        38,
    ),
    org(
        "org-houtskeletbouw-brabantse-wal",
        "Houtskeletbouw Brabantse Wal B.V.",
        "sme",
        [BIOBASED],
        "Bergen op Zoom",
        "Produceert in een eigen fabriek prefab wand-, vloer- en dakelementen voor woningen, "
        "aanbouwen en optoppingen. De elementen worden standaard geïsoleerd met houtvezel of "
        "vlas.",
        28,
    ),
    org(
        "org-natuurvezel-composieten",
        "NatuurVezel Composieten B.V.",
        "sme",
        [BIOBASED],
        "Roosendaal",
        "Maakt lichte en sterke onderdelen van vlasvezel en biobased hars, onder meer voor "
        "sloepen, designmeubels en fietsen. Het bedrijf ontwikkelt producten samen met klanten, "
        "van ontwerp tot serieproductie.",
        14,
    ),
    org(
        "org-biopolymeren-moerdijk",
        "Biopolymeren Moerdijk B.V.",
        "sme",
        [BIOBASED],
        "Moerdijk",
        "Compoundeert PLA, PHA en andere biopolymeren tot granulaat voor verpakkingen en "
        "spuitgietproducten. Het bedrijf draait in ploegendienst en investeert in een derde "
        "productielijn.",
        40,
    ),
    org(
        "org-schelpkalk-schouwen",
        "Schelpkalk Schouwen",
        "sme",
        [BIOBASED],
        "Zierikzee",
        "Brandt al vier generaties kalk uit kokkelschelpen voor de restauratie van monumenten. "
        "Het bedrijf zoekt nieuwe toepassingen van schelpkalk in duurzame nieuwbouw en "
        "renovatie.",
        7,
    ),
    org(
        "org-strobouw-walcheren",
        "Strobouw Walcheren",
        "sme",
        [BIOBASED],
        "Veere",
        "Klein bouwbedrijf dat vrijstaande woningen en tuinkamers bouwt met strobalen, leem en "
        "hout. De eigenaren combineren ambachtelijk bouwen met hoge eisen aan de "
        "energieprestatie.",
        6,
    ),
    org(
        "org-vezelteelt-zeeuws-vlaanderen",
        "Coöperatie Vezelteelt Zeeuws-Vlaanderen U.A.",
        "sme",
        [BIOBASED],
        "Hulst",
        "Coöperatie van zo'n zestig akkerbouwers in Zeeuws-Vlaanderen die vezelhennep en vlas "
        "telen voor de isolatie-, textiel- en composietindustrie. De coöperatie regelt de "
        "verwerking en afzet en zoekt nieuwe leden.",
        5,
    ),
    org(
        "org-biowarmte-roosendaal",
        "BioWarmte Roosendaal B.V.",
        "sme",
        [BIOBASED],
        "Roosendaal",
        "Exploiteert twee houtsnipperketels en een warmtenet dat bedrijven en een zwembad op "
        "een bedrijventerrein van warmte voorziet. De brandstof komt uit snoeihout en "
        "landschapsonderhoud in de regio.",
        18,
    ),
    org(
        "org-zeewierkwekerij-oosterschelde",
        "Zeewierkwekerij Oosterschelde",
        "sme",
        [BIOBASED],
        "Yerseke",
        "Kweekt suikerwier en zeesla aan lijnen in de Oosterschelde, vooral voor de "
        "voedingsmiddelenindustrie. Het bedrijf onderzoekt toepassingen voor de delen van de "
        "oogst die niet als voedsel geschikt zijn.",
        8,
    ),
    # -- Stadsleergemeenschap Talentcampus Eemstad ---------------------------------------------
    org(
        "org-thuiszorg-eemland",
        "Thuiszorg Eemland",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Thuiszorgorganisatie met zes wijkteams in Amersfoort, Leusden en Soest. Ruim 180 "
        "medewerkers verlenen wijkverpleging, persoonlijke verzorging en huishoudelijke hulp "
        "aan zo'n 1.400 cliënten.",
        184,
    ),
    org(
        "org-fysio-vitaal-hoogland",
        "Fysio & Vitaal Hoogland",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Fysiotherapiepraktijk met twee vestigingen in Amersfoort-Noord, gespecialiseerd in "
        "sportrevalidatie en arbeidsgerelateerde klachten. De praktijk wil bedrijven in de "
        "regio helpen hun medewerkers vitaal te houden.",
        14,
    ),
    org(
        "org-bosch-administratie",
        "Bosch & Partners Administratie",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Administratie- en belastingadvieskantoor voor zzp'ers en mkb-bedrijven in Eemland. "
        "Het kantoor wil zijn dienstverlening verder digitaliseren zonder het persoonlijke "
        "contact te verliezen.",
        22,
    ),
    org(
        "org-energiecooperatie-eem-vallei",
        "Energiecoöperatie Eem en Vallei",
        "sme",
        [TALENTCAMPUS],
        "Soest",
        "Energiecoöperatie van ruim 900 leden die zonneparken exploiteert en bewoners helpt "
        "bij het verduurzamen van hun woning. Vier betaalde krachten werken samen met tientallen "
        "vrijwilligers.",
        4,
    ),
    org(
        "org-architecten-stadsring",
        "Architectenbureau Stadsring",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Architectenbureau in de binnenstad van Amersfoort dat scholen, zorggebouwen en "
        "woongebouwen ontwerpt. Het bureau werkt volledig in BIM en zoekt manieren om "
        "duurzaamheid vroeg in het ontwerp mee te wegen.",
        11,
    ),
    org(
        "org-bouwbedrijf-hoogland",
        "Bouwbedrijf Hoogland & Co",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Middelgroot bouwbedrijf uit Hoogland dat vooral renovatie en verduurzaming van "
        "huurwoningen uitvoert voor corporaties in de regio. Bewoners blijven tijdens de "
        "werkzaamheden meestal in hun woning.",
        55,
    ),
    org(
        "org-webbureau-eemkwartier",
        "Webbureau Eemkwartier",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Klein webbureau dat websites, webshops en webapps bouwt voor mkb-bedrijven in de regio "
        "Amersfoort. Het team werkt in het Nederlands en het Engels.",
        9,
    ),
    org(
        "org-drukkerij-de-eem",
        "Drukkerij De Eem",
        "sme",
        [TALENTCAMPUS],
        "Soest",
        "Drukt boeken, magazines en verpakkingen voor uitgevers en merken in heel Nederland. "
        "Het bedrijf investeert in digitale druk en wil zijn bedrijfsvoering moderniseren.",
        32,
    ),
    org(
        "org-kinderopvang-speelkwartier",
        "Kinderopvang Het Speelkwartier",
        "sme",
        [TALENTCAMPUS],
        "Leusden",
        "Kinderopvangorganisatie met vijf locaties voor dagopvang en buitenschoolse opvang in "
        "Leusden en Amersfoort-Zuid. Er werken ongeveer 85 pedagogisch medewerkers en "
        "ondersteunende collega's.",
        92,
    ),
    org(
        "org-metaalbewerking-vathorst",
        "Metaalbewerking Vathorst B.V.",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Toeleverancier van precisiedraai- en freeswerk en laskonstructies voor de machinebouw. "
        "Het bedrijf groeit, maar vindt moeilijk vakmensen en neemt daarom steeds vaker "
        "zij-instromers aan.",
        48,
    ),
    org(
        "org-glans-schoonmaakdiensten",
        "Glans Schoonmaakdiensten",
        "sme",
        [TALENTCAMPUS],
        "Nijkerk",
        "Schoonmaakbedrijf met ongeveer 140 medewerkers dat kantoren, scholen en "
        "zorginstellingen in de regio schoonhoudt. Veel medewerkers werken in deeltijd, vroeg "
        "in de ochtend of 's avonds.",
        142,
    ),
    org(
        "org-koffiebranderij-eemkade",
        "Koffiebranderij Eemkade",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Ambachtelijke koffiebranderij aan de Eem met een eigen koffiebar, een webshop en "
        "leveringen aan de horeca. De koffie wordt in kleine batches gebrand op een "
        "gasgestookte brander.",
        12,
    ),
    org(
        "org-ebike-centrum-leusden",
        "E-bike Centrum Leusden",
        "sme",
        [TALENTCAMPUS],
        "Leusden",
        "Fietsspeciaalzaak voor e-bikes en speed pedelecs met een eigen werkplaats. Onderhoud "
        "en reparatie zijn goed voor bijna de helft van de omzet.",
        10,
    ),
    org(
        "org-vastgoedbeheer-de-kei",
        "Vastgoedbeheer De Kei",
        "sme",
        [TALENTCAMPUS],
        "Amersfoort",
        "Beheert circa 1.200 huurwoningen voor particuliere beleggers in Amersfoort en "
        "omgeving, van verhuur tot planmatig onderhoud.",
        26,
    ),
    org(
        "org-hovenier-groen-verbindt",
        "Hoveniersbedrijf Groen Verbindt",
        "sme",
        [TALENTCAMPUS],
        "Woudenberg",
        "Hoveniersbedrijf voor de aanleg en het onderhoud van particuliere tuinen en "
        "bedrijfstuinen. Groen Verbindt richt zich steeds meer op klimaatadaptieve en "
        "natuurinclusieve tuinen.",
        19,
    ),
    org(
        "org-bakkerij-van-der-meulen",
        "Bakkerij Van der Meulen",
        "sme",
        [TALENTCAMPUS],
        "Bunschoten",
        "Ambachtelijke bakkerij met een eigen productie in Bunschoten en vijftien winkels in "
        "Eemland en de Gelderse Vallei. Het bakken gebeurt grotendeels 's nachts.",
        60,
    ),
    # -- Micro-leergemeenschappen Installatietechniek -------------------------------------------
    org(
        "org-van-rijn-installaties",
        "Van Rijn Installaties",
        "sme",
        [INSTALLATIE],
        "Gouda",
        "Installatiebedrijf gespecialiseerd in warmtepompen voor bestaande woningen, met ruim "
        "1.800 onderhoudscontracten. Binnen het bedrijf werkt een micro-leergemeenschap van "
        "monteurs, planners, studenten en een docent aan praktijkvragen.",
        42,
    ),
    org(
        "org-de-vries-klimaattechniek",
        "De Vries Klimaattechniek",
        "sme",
        [INSTALLATIE],
        "Nieuwegein",
        "Installateur voor verwarming, koeling en ventilatie in woningen en kleine "
        "utiliteitsgebouwen in de regio Utrecht. Het bedrijf leidt veel zij-instromers op in "
        "een eigen micro-leergemeenschap.",
        65,
    ),
    org(
        "org-elektrotechniek-hof-van-twente",
        "Elektrotechniek Hof van Twente B.V.",
        "sme",
        [INSTALLATIE],
        "Goor",
        "Elektrotechnisch installatiebedrijf voor woningen, agrarische bedrijven en mkb in "
        "Twente, met een groeiende afdeling voor zonnepanelen, laadpalen en thuisbatterijen.",
        35,
    ),
    org(
        "org-vallei-techniek",
        "Vallei Techniek Installaties",
        "sme",
        [INSTALLATIE],
        "Ede",
        "Totaalinstallateur voor de utiliteitsbouw in de Gelderse Vallei: werktuigbouwkundige "
        "en elektrotechnische installaties voor kantoren, scholen en zorggebouwen. Circulair "
        "installeren is een speerpunt van de directie.",
        58,
    ),
    org(
        "org-maas-installatiebedrijf",
        "Maas & Zn. Installatiebedrijf",
        "sme",
        [INSTALLATIE],
        "Dordrecht",
        "Installatiebedrijf in de binnenstad van Dordrecht voor loodgieterswerk, verwarming en "
        "onderhoud, met veel klanten in monumentale panden. Zes van de monteurs werken er al "
        "langer dan dertig jaar.",
        27,
    ),
    org(
        "org-koeltechniek-westland",
        "Koeltechniek Westland B.V.",
        "sme",
        [INSTALLATIE],
        "Naaldwijk",
        "Koeltechnisch installatiebedrijf voor de glastuinbouw en de versketen in het Westland: "
        "koelcellen, klimaatinstallaties en warmtepompen. Het bedrijf stapt over op natuurlijke "
        "koudemiddelen.",
        33,
    ),
    org(
        "org-installatiegroep-ijsselstroom",
        "Installatiegroep IJsselstroom",
        "sme",
        [INSTALLATIE],
        "Deventer",
        "Installatiegroep met vestigingen in Deventer en Zwolle voor installaties in scholen, "
        "zorggebouwen en woningen. In Deventer draait sinds twee jaar een "
        "micro-leergemeenschap waarin monteurs, studenten en docenten samen praktijkvragen "
        "oppakken.",
        110,
    ),
    org(
        "org-energieneutraal-wonen-apeldoorn",
        "Energieneutraal Wonen Apeldoorn",
        "sme",
        [INSTALLATIE],
        "Apeldoorn",
        "Renovatiebedrijf dat bestaande woningen in één traject all-electric maakt: isolatie, "
        "ventilatie, warmtepomp en zonnepanelen. Het bedrijf combineert bouw- en "
        "installatievakmanschap in eigen teams.",
        21,
    ),
]


@dataclass(frozen=True)
class Institution:
    """A school, hogeschool, university or research organisation, and where its students live."""

    id: str
    name: str
    kind: str
    communities: tuple[str, ...]
    towns: tuple[str, ...]  # first town = main campus; the rest = where students live
    surnames: str  # key into REGIONAL_SURNAMES
    description: str


INSTITUTIONS = [
    # mbo
    Institution(
        "org-roc-scheldemond",
        "ROC Scheldemond",
        "school",
        (BIOBASED,),
        ("Vlissingen", "Middelburg", "Goes", "Terneuzen", "Hulst", "Zierikzee"),
        "zeeland",
        "Regionaal opleidingscentrum met vestigingen in Vlissingen, Middelburg, Goes en "
        "Terneuzen en sterke opleidingen in techniek, procesindustrie en logistiek.",
    ),
    Institution(
        "org-roc-west-brabant",
        "ROC West-Brabant Vakcollege",
        "school",
        (BIOBASED,),
        ("Bergen op Zoom", "Roosendaal", "Breda", "Etten-Leur", "Oosterhout", "Tholen"),
        "brabant",
        "Mbo-instelling met vakcolleges in Breda, Bergen op Zoom en Roosendaal voor bouw, "
        "installatietechniek, laboratorium, ICT en logistiek.",
    ),
    Institution(
        "org-roc-drechtsteden",
        "ROC Drechtsteden",
        "school",
        (INSTALLATIE,),
        ("Dordrecht", "Zwijndrecht", "Papendrecht", "Gorinchem", "Sliedrecht"),
        "zuid-holland",
        "Mbo-instelling in Dordrecht en Gorinchem met een technisch opleidingscentrum voor "
        "installatie-, koude- en elektrotechniek.",
    ),
    Institution(
        "org-roc-maasdelta",
        "ROC Maasdelta",
        "school",
        (BIOBASED, INSTALLATIE),
        ("Rotterdam", "Delft", "Gouda", "Schiedam", "Naaldwijk", "Spijkenisse"),
        "zuid-holland",
        "Mbo-instelling in Rotterdam, Delft en Gouda met opleidingen voor de procesindustrie, "
        "laboratoria en de installatietechniek.",
    ),
    Institution(
        "org-roc-domstad",
        "ROC Domstad",
        "school",
        (TALENTCAMPUS, INSTALLATIE),
        ("Amersfoort", "Utrecht", "Nieuwegein", "Leusden", "Soest", "Houten", "Zeist"),
        "utrecht",
        "Regionaal opleidingscentrum in Utrecht, Amersfoort en Nieuwegein met een breed aanbod "
        "in techniek, ICT, zorg, sport en commercie.",
    ),
    Institution(
        "org-roc-gelderse-poort",
        "ROC Gelderse Poort",
        "school",
        (TALENTCAMPUS, INSTALLATIE),
        ("Ede", "Arnhem", "Apeldoorn", "Barneveld", "Veenendaal", "Wageningen"),
        "gelderland",
        "Mbo-instelling met locaties in Ede, Arnhem en Apeldoorn voor onder meer "
        "installatietechniek, bouw, ICT en zorg.",
    ),
    Institution(
        "org-roc-twentse-poort",
        "ROC Twentse Poort",
        "school",
        (INSTALLATIE,),
        ("Hengelo", "Enschede", "Almelo", "Goor", "Oldenzaal"),
        "overijssel",
        "Mbo-instelling in Hengelo, Enschede en Almelo met een technologiecampus voor "
        "elektrotechniek en installatietechniek.",
    ),
    # hbo
    Institution(
        "org-hogeschool-zeeland-delta",
        "Hogeschool Zeeland Delta",
        "university_of_applied_sciences",
        (BIOBASED,),
        ("Vlissingen", "Middelburg", "Goes", "Terneuzen"),
        "zeeland",
        "Hogeschool in Vlissingen en Middelburg met opleidingen in techniek, delta en water, "
        "aquatische ecotechnologie, logistiek en bedrijfskunde.",
    ),
    Institution(
        "org-hogeschool-brabantse-wal",
        "Hogeschool Brabantse Wal",
        "university_of_applied_sciences",
        (BIOBASED,),
        ("Breda", "Bergen op Zoom", "Roosendaal", "Oosterhout", "Tilburg"),
        "brabant",
        "Hogeschool met campussen in Breda en Bergen op Zoom en een sterke positie in "
        "biobased bouwen, chemie en productontwerp.",
    ),
    Institution(
        "org-hogeschool-maasmond",
        "Hogeschool Maasmond",
        "university_of_applied_sciences",
        (BIOBASED, INSTALLATIE),
        ("Rotterdam", "Dordrecht", "Schiedam", "Capelle aan den IJssel", "Gouda"),
        "zuid-holland",
        "Grote hogeschool in Rotterdam en Dordrecht met opleidingen in engineering, bouw, "
        "chemie en ICT.",
    ),
    Institution(
        "org-hogeschool-domstad",
        "Hogeschool Domstad",
        "university_of_applied_sciences",
        (TALENTCAMPUS, INSTALLATIE),
        ("Utrecht", "Amersfoort", "Zeist", "Nieuwegein", "Hilversum"),
        "utrecht",
        "Hogeschool in Utrecht en Amersfoort met opleidingen in bouw, ICT, zorg, gezondheid en "
        "human resource management.",
    ),
    Institution(
        "org-hogeschool-gelderse-rivieren",
        "Hogeschool Gelderse Rivieren",
        "university_of_applied_sciences",
        (TALENTCAMPUS, INSTALLATIE),
        ("Arnhem", "Nijmegen", "Ede", "Wageningen", "Doetinchem"),
        "gelderland",
        "Hogeschool in Arnhem en Nijmegen met opleidingen in techniek, ICT, zorg, bewegen en "
        "bedrijfskunde.",
    ),
    Institution(
        "org-hogeschool-oost-nederland",
        "Hogeschool Oost-Nederland",
        "university_of_applied_sciences",
        (TALENTCAMPUS, INSTALLATIE),
        ("Deventer", "Apeldoorn", "Enschede", "Zwolle", "Zutphen"),
        "overijssel",
        "Hogeschool in Deventer, Apeldoorn en Enschede met opleidingen in bouw, "
        "installatietechniek, ICT en human resource management.",
    ),
    # wo
    Institution(
        "org-tu-zuid-holland",
        "Technische Universiteit Zuid-Holland",
        "university",
        (BIOBASED, INSTALLATIE),
        ("Delft", "Rotterdam", "Den Haag", "Leiden"),
        "zuid-holland",
        "Technische universiteit in Delft met onderzoek en onderwijs in energie, chemische "
        "technologie, civiele techniek en industrieel ontwerpen.",
    ),
    Institution(
        "org-universiteit-domstad",
        "Universiteit Domstad",
        "university",
        (TALENTCAMPUS,),
        ("Utrecht", "Amersfoort", "Zeist", "Houten"),
        "utrecht",
        "Brede universiteit in Utrecht; in deze leergemeenschap vooral actief met psychologie, "
        "data science en organisatiewetenschappen.",
    ),
    Institution(
        "org-universiteit-gelderse-vallei",
        "Universiteit Gelderse Vallei",
        "university",
        (BIOBASED, TALENTCAMPUS),
        ("Wageningen", "Ede", "Arnhem", "Renkum"),
        "gelderland",
        "Universiteit in Wageningen met een focus op levenswetenschappen, biobased chemie, "
        "biotechnologie en milieuwetenschappen.",
    ),
    Institution(
        "org-tu-oost",
        "Technische Universiteit Oost",
        "university",
        (TALENTCAMPUS, INSTALLATIE),
        ("Enschede", "Hengelo", "Deventer"),
        "overijssel",
        "Technische universiteit in Enschede met opleidingen in technische bedrijfskunde, "
        "civiele techniek, industrieel ontwerpen en data science.",
    ),
    # research organisation without students: hosts a research group, not a programme
    Institution(
        "org-proeftuin-groene-chemie",
        "Proeftuin Groene Chemie",
        "research",
        (BIOBASED,),
        ("Bergen op Zoom",),
        "brabant",
        "Gedeelde proef- en pilotfabriek op de Groene Chemie Campus waar bedrijven en "
        "kennisinstellingen nieuwe biobased processen van laboratorium- naar pilotschaal "
        "brengen.",
    ),
]
INSTITUTION_BY_ID = {inst.id: inst for inst in INSTITUTIONS}


def institution_records() -> list[dict]:
    """Institutions as organisation records (the towns are only used for students)."""
    return [
        org(i.id, i.name, i.kind, list(i.communities), i.towns[0], i.description)
        for i in INSTITUTIONS
    ]


# --------------------------------------------------------------------------------------------
# Research groups (lectoraten and university research groups). Contacts are fictional.
# --------------------------------------------------------------------------------------------
RESEARCH_GROUPS = [
    {
        "id": "rg-biobased-bouwen",
        "community_ids": [BIOBASED],
        "name": "Lectoraat Biobased Bouwen",
        "institution": "Hogeschool Brabantse Wal",
        "expertise": (
            "Onderzoekt hoe bouwmaterialen uit hennep, vlas, stro en hout op grote schaal in "
            "woningbouw en renovatie kunnen worden toegepast. Studenten en docenten testen "
            "materialen op vochtgedrag, brandveiligheid en isolatiewaarde en werken met "
            "bouwbedrijven aan demonstratieprojecten. Het lectoraat ontwikkelt ook "
            "rekenmethoden voor de milieu-impact en CO2-opslag van biobased bouwproducten."
        ),
        "themes": ["biobased bouwen", "circulariteit", "duurzaamheid"],
        "capacity_projects": 4,
        "contact_name": "Marloes van Kempen",
        "contact_email": "m.vankempen@example.nl",
    },
    {
        "id": "rg-biobased-energie",
        "community_ids": [BIOBASED],
        "name": "Lectoraat Biobased Energie",
        "institution": "Hogeschool Zeeland Delta",
        "expertise": (
            "Richt zich op vergisting, vergassing en verbranding van biomassa en reststromen en "
            "op de inpassing van groen gas en biowarmte in regionale energiesystemen. Het "
            "lectoraat beschikt over een proefvergister en meetapparatuur voor rookgassen en "
            "begeleidt bedrijven bij procesoptimalisatie en emissiereductie."
        ),
        "themes": ["biobased energie", "energietransitie", "duurzaamheid"],
        "capacity_projects": 3,
        "contact_name": "Pieter-Jan Wisse",
        "contact_email": "pj.wisse@example.nl",
    },
    {
        "id": "rg-biobased-producten",
        "community_ids": [BIOBASED],
        "name": "Lectoraat Biobased Producten",
        "institution": "Hogeschool Brabantse Wal",
        "expertise": (
            "Ontwikkelt samen met mkb-bedrijven producten van biobased grondstoffen, zoals "
            "bioplastics, natuurvezelcomposieten, coatings en verpakkingen. Het lectoraat test "
            "mechanische eigenschappen, veroudering en recyclebaarheid en helpt bij de stap van "
            "prototype naar kleine serie."
        ),
        "themes": ["biobased producten", "groene chemie", "circulariteit"],
        "capacity_projects": 4,
        "contact_name": "Inge Raaijmakers",
        "contact_email": "i.raaijmakers@example.nl",
    },
    {
        "id": "rg-duurzame-havenlogistiek",
        "community_ids": [BIOBASED],
        "name": "Lectoraat Duurzame Havenlogistiek",
        "institution": "Hogeschool Zeeland Delta",
        "expertise": (
            "Onderzoekt hoe havenbedrijven en verladers hun logistiek schoner en slimmer kunnen "
            "organiseren, van ketenanalyses en CO2-voetafdrukken tot modal shift naar "
            "binnenvaart en spoor. Een speciaal aandachtspunt zijn de ketens van biomassa en "
            "andere biobased grondstoffen."
        ),
        "themes": ["duurzaamheid", "biobased energie", "digitalisering"],
        "capacity_projects": 2,
        "contact_name": "Koen Dieleman",
        "contact_email": "k.dieleman@example.nl",
    },
    {
        "id": "rg-aquatische-biomassa",
        "community_ids": [BIOBASED],
        "name": "Lectoraat Aquatische Biomassa",
        "institution": "Hogeschool Zeeland Delta",
        "expertise": (
            "Werkt aan de kweek, oogst en verwerking van zeewier en microalgen in de Zeeuwse "
            "delta. Het lectoraat heeft een testlocatie in de Oosterschelde en een laboratorium "
            "voor bioraffinage op kleine schaal, en onderzoekt toepassingen in voeding, "
            "veevoer en verpakkingen."
        ),
        "themes": ["biobased producten", "duurzaamheid"],
        "capacity_projects": 3,
        "contact_name": "Annelies Kodde",
        "contact_email": "a.kodde@example.nl",
    },
    {
        "id": "rg-bioraffinage-opschaling",
        "community_ids": [BIOBASED],
        "name": "Expertisecentrum Bioraffinage en Opschaling",
        "institution": "Proeftuin Groene Chemie",
        "expertise": (
            "Helpt start-ups en mkb-bedrijven om biobased processen op te schalen van "
            "laboratorium naar pilotfabriek. Het team van procesingenieurs en operators "
            "begeleidt studenten bij het ontwerpen, uitvoeren en analyseren van pilotruns, "
            "met veel aandacht voor procesveiligheid."
        ),
        "themes": ["groene chemie", "biobased producten"],
        "capacity_projects": 3,
        "contact_name": "Rik Verschuren",
        "contact_email": "r.verschuren@example.nl",
    },
    {
        "id": "rg-biobased-chemie-technologie",
        "community_ids": [BIOBASED],
        "name": "Leerstoelgroep Biobased Chemie en Technologie",
        "institution": "Universiteit Gelderse Vallei",
        "expertise": (
            "Doet fundamenteel en toegepast onderzoek naar bioraffinage, fermentatie en de "
            "chemie van lignine en andere plantaardige grondstoffen. De groep begeleidt "
            "masterstudenten bij afstudeeronderzoek in bedrijven en combineert "
            "procesmodellen met levenscyclusanalyses."
        ),
        "themes": ["groene chemie", "biobased producten", "biobased energie"],
        "capacity_projects": 5,
        "contact_name": "Hanneke Scholten",
        "contact_email": "h.scholten@example.nl",
    },
    {
        "id": "rg-digitale-transformatie-mkb",
        "community_ids": [TALENTCAMPUS, INSTALLATIE],
        "name": "Lectoraat Digitale Transformatie in het Mkb",
        "institution": "Hogeschool Domstad",
        "expertise": (
            "Onderzoekt hoe kleine bedrijven digitale technologie en data verantwoord inzetten, "
            "van procesautomatisering en dashboards tot de eerste toepassingen van AI. Het "
            "lectoraat werkt met praktijkgerichte experimenten bij bedrijven en let daarbij "
            "nadrukkelijk op digitale vaardigheden van medewerkers."
        ),
        "themes": ["digitalisering", "goed werkgeverschap"],
        "capacity_projects": 5,
        "contact_name": "Youssef El Moussaoui",
        "contact_email": "y.elmoussaoui@example.nl",
    },
    {
        "id": "rg-vitaliteit-gezond-werken",
        "community_ids": [TALENTCAMPUS],
        "name": "Lectoraat Vitaliteit en Gezond Werken",
        "institution": "Hogeschool Gelderse Rivieren",
        "expertise": (
            "Ontwikkelt en evalueert beweeg- en leefstijlprogramma's voor werkenden, met "
            "bijzondere aandacht voor fysiek zware beroepen zoals zorg, schoonmaak en groen. "
            "Het lectoraat meet werkbelasting en herstel en vertaalt de resultaten naar "
            "praktische maatregelen voor werkgevers."
        ),
        "themes": ["vitaliteit", "goed werkgeverschap"],
        "capacity_projects": 4,
        "contact_name": "Esther Hoogendoorn",
        "contact_email": "e.hoogendoorn@example.nl",
    },
    {
        "id": "rg-bim-digitaal-bouwen",
        "community_ids": [TALENTCAMPUS, INSTALLATIE],
        "name": "Lectoraat BIM en Digitaal Bouwen",
        "institution": "Hogeschool Domstad",
        "expertise": (
            "Onderzoekt openBIM, 3D-scannen en digitale tweelingen in de bouw- en "
            "installatiesector. Het lectoraat helpt bedrijven bij het opstellen van "
            "BIM-protocollen en bij het gebruik van bouwinformatie voor renovatie, beheer en "
            "verduurzaming."
        ),
        "themes": ["BIM", "digitalisering", "energietransitie"],
        "capacity_projects": 4,
        "contact_name": "Martijn Vlot",
        "contact_email": "m.vlot@example.nl",
    },
    {
        "id": "rg-human-capital-werkgeverschap",
        "community_ids": [TALENTCAMPUS, INSTALLATIE],
        "name": "Lectoraat Human Capital en Goed Werkgeverschap",
        "institution": "Hogeschool Oost-Nederland",
        "expertise": (
            "Onderzoekt hoe mkb-bedrijven medewerkers aantrekken, inwerken, ontwikkelen en "
            "behouden, met speciale aandacht voor zij-instromers en leren op de werkplek. Het "
            "lectoraat is betrokken bij de opzet van micro-leergemeenschappen in technische "
            "bedrijven."
        ),
        "themes": ["goed werkgeverschap", "vakmanschap"],
        "capacity_projects": 4,
        "contact_name": "Mirjam Wolbers",
        "contact_email": "m.wolbers@example.nl",
    },
    {
        "id": "rg-arbeid-gezondheid-organisatie",
        "community_ids": [TALENTCAMPUS],
        "name": "Onderzoeksgroep Arbeid, Gezondheid en Organisatie",
        "institution": "Universiteit Domstad",
        "expertise": (
            "Bestudeert werkstress, herstel en bevlogenheid, onder meer bij ploegen- en "
            "nachtwerk. De groep voert evaluatieonderzoek uit naar interventies van werkgevers "
            "en begeleidt masterstudenten bij kwantitatief en kwalitatief onderzoek in "
            "organisaties."
        ),
        "themes": ["vitaliteit", "goed werkgeverschap"],
        "capacity_projects": 3,
        "contact_name": "Sarita Ramcharan",
        "contact_email": "s.ramcharan@example.nl",
    },
    {
        "id": "rg-installatietechniek-energietransitie",
        "community_ids": [INSTALLATIE, TALENTCAMPUS],
        "name": "Lectoraat Installatietechniek en Energietransitie",
        "institution": "Hogeschool Maasmond",
        "expertise": (
            "Onderzoekt warmtepompen en hybride systemen in bestaande woningen, het inregelen "
            "en monitoren van installaties en de gevolgen van netcongestie voor installateurs. "
            "Het lectoraat werkt nauw samen met installatiebedrijven en ROC's in de "
            "micro-leergemeenschappen."
        ),
        "themes": ["energietransitie", "vakmanschap"],
        "capacity_projects": 5,
        "contact_name": "Gerard Bosman",
        "contact_email": "g.bosman@example.nl",
    },
    {
        "id": "rg-circulair-bouwen-installeren",
        "community_ids": [INSTALLATIE, BIOBASED],
        "name": "Lectoraat Circulair Bouwen en Installeren",
        "institution": "Hogeschool Oost-Nederland",
        "expertise": (
            "Ontwikkelt methoden voor materiaalpaspoorten, hergebruik van bouw- en "
            "installatiecomponenten en circulair inkopen. Het lectoraat test die methoden in "
            "echte renovatie- en sloopprojecten en onderzoekt welke verdienmodellen hergebruik "
            "rendabel maken."
        ),
        "themes": ["circulariteit", "biobased bouwen", "vakmanschap"],
        "capacity_projects": 3,
        "contact_name": "Lotte Hulshof",
        "contact_email": "l.hulshof@example.nl",
    },
    {
        "id": "rg-thermische-energiesystemen",
        "community_ids": [INSTALLATIE, BIOBASED],
        "name": "Onderzoeksgroep Thermische Energiesystemen",
        "institution": "Technische Universiteit Zuid-Holland",
        "expertise": (
            "Modelleert en test warmtepompen, natuurlijke koudemiddelen, thermische opslag en "
            "warmtenetten. De groep heeft een laboratorium met klimaatkamers en begeleidt "
            "masterstudenten die hun afstudeeronderzoek bij installatiebedrijven doen."
        ),
        "themes": ["energietransitie", "duurzaamheid"],
        "capacity_projects": 4,
        "contact_name": "Arjen Kooistra",
        "contact_email": "a.kooistra@example.nl",
    },
]


# --------------------------------------------------------------------------------------------
# Challenges: read the hand-written source and fill in the derived fields.
# --------------------------------------------------------------------------------------------
def period_end(start: dt.date, weeks: int) -> dt.date:
    """The Friday of the last week of a period that starts on a Monday."""
    return start + dt.timedelta(weeks=weeks) - dt.timedelta(days=3)


def build_challenges(organisations: dict[str, dict]) -> list[dict]:
    """Challenges from challenges_source.json, with ids, community, place and end date."""
    source = json.loads((HERE / "challenges_source.json").read_text(encoding="utf-8"))
    challenges = []
    for number, item in enumerate(source["challenges"], start=1):
        where = f"challenges_source.json, challenge {number} ({item.get('title')!r})"
        owner = organisations.get(item["org"])
        if owner is None or owner["kind"] != "sme":
            raise ValueError(f"{where}: org {item['org']!r} is not an SME in this set")
        start = dt.date.fromisoformat(item["start"])
        if start.weekday() != 0:
            raise ValueError(f"{where}: start {start} is not a Monday")
        challenges.append(
            {
                "id": f"ch-{number:03d}",
                "community_id": owner["community_ids"][0],
                "organisation_id": owner["id"],
                "title": item["title"],
                "description": item["description"],
                "wanted_skills": [skill(label) for label in item["skills"]],
                "themes": item["themes"],
                "level": item["level"],
                "kind": item["kind"],
                "hours_per_week": item["hours_per_week"],
                "weeks": item["weeks"],
                "period_start": start.isoformat(),
                "period_end": period_end(start, item["weeks"]).isoformat(),
                "place": item.get("place", owner["city"]),
                "remote": item["remote"],
                "language": item["language"],
                "students_wanted": item["students_wanted"],
                "status": item["status"],
            }
        )
    return challenges


# --------------------------------------------------------------------------------------------
# Students: hand-written material per programme, combined at random (seeded).
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Programme:
    """A real kind of Dutch programme and the material its students are generated from."""

    name: str  # as shown, with the level in brackets where Dutch usage does that
    level: str  # "mbo" | "hbo" | "wo"
    institutions: tuple[str, ...]
    communities: tuple[str, ...]  # communities whose challenges suit this programme
    skills: tuple[str, ...]  # pool; each student gets 4-7 of these
    interests: tuple[str, ...]
    focus: tuple[str, ...]  # "what I like" phrases for the about text
    weight: int  # relative number of students within the level
    years: tuple[tuple[int, int], ...]  # (study year, weight); wo years 4-5 are the master
    focus_en: tuple[str, ...] = ()  # English phrases, for English-taught programmes
    international: float = 0.0  # share of international (English-speaking) students


MBO4_YEARS = ((1, 15), (2, 35), (3, 35), (4, 15))
MBO3_YEARS = ((1, 20), (2, 45), (3, 35))
HBO_YEARS = ((1, 10), (2, 25), (3, 30), (4, 35))
WO_YEARS = ((1, 5), (2, 10), (3, 20), (4, 40), (5, 25))
WO_ONE_YEAR_MASTER = ((1, 5), (2, 10), (3, 25), (4, 60))
ALL = COMMUNITY_ORDER

PROGRAMMES = [
    # ----------------------------------------------------------------------------------- mbo
    Programme(
        name="Installatie- en Energietechniek (mbo 4)",
        level="mbo",
        institutions=(
            "org-roc-scheldemond", "org-roc-west-brabant", "org-roc-drechtsteden",
            "org-roc-maasdelta", "org-roc-domstad", "org-roc-gelderse-poort",
            "org-roc-twentse-poort",
        ),
        communities=ALL,
        skills=(
            "warmtepompen installeren", "ventilatie-apparatuur installeren",
            "vloer- en muurverwarming installeren", "zonneboilers installeren",
            "technische tekeningen", "storingen aan apparatuur oplossen", "energie-efficiëntie",
            "gegevens van onderhoudsinterventies bijhouden",
            "onderdelen voor verwarming, ventilatie, klimaatregeling en koeling",
            "warmteverliesberekening",
        ),
        interests=(
            "warmtepompen", "energietransitie", "duurzaam wonen", "zonne-energie", "vakmanschap",
        ),
        focus=(
            "het inregelen van warmtepompen",
            "het zoeken naar storingen tot ik precies weet wat er mis is",
            "het uittekenen van een installatie", "het werken bij klanten thuis",
        ),
        weight=16,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Eerste Monteur Werktuigkundige Installaties (mbo 3)",
        level="mbo",
        institutions=(
            "org-roc-drechtsteden", "org-roc-maasdelta", "org-roc-domstad",
            "org-roc-gelderse-poort", "org-roc-twentse-poort",
        ),
        communities=(TALENTCAMPUS, INSTALLATIE),
        skills=(
            "verwarmingsketels installeren", "warmtepompen installeren", "ventilatiesystemen",
            "vloer- en muurverwarming installeren", "storingen aan apparatuur oplossen",
            "communiceren met klanten", "gegevens van onderhoudsinterventies bijhouden",
        ),
        interests=("warmtepompen", "verwarming", "energietransitie", "vakmanschap", "techniek"),
        focus=(
            "het aansluiten van cv-ketels en warmtepompen", "sleutelen aan installaties",
            "het soort klussen waarbij je meteen resultaat ziet",
        ),
        weight=10,
        years=MBO3_YEARS,
    ),
    Programme(
        name="Technicus Elektrotechnische Installaties (mbo 4)",
        level="mbo",
        institutions=(
            "org-roc-scheldemond", "org-roc-west-brabant", "org-roc-drechtsteden",
            "org-roc-domstad", "org-roc-gelderse-poort", "org-roc-twentse-poort",
        ),
        communities=ALL,
        skills=(
            "elektrotechniek", "schema's voor elektrische bedrading maken",
            "elektrische apparatuur testen", "fotovoltaïsche systemen onderhouden",
            "programmeerbare logische besturingseenheid", "automatisering in gebouwen", "NEN 1010",
            "energieopslag en netcongestie", "zonne-energie", "elektrische apparatuur onderhouden",
        ),
        interests=("zonne-energie", "laadpalen", "energietransitie", "domotica", "techniek"),
        focus=(
            "het aanleggen en testen van groepenkasten",
            "het installeren van zonnepanelen en laadpalen", "het programmeren van een PLC",
        ),
        weight=12,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Middenkaderfunctionaris Bouw (mbo 4)",
        level="mbo",
        institutions=(
            "org-roc-scheldemond", "org-roc-west-brabant", "org-roc-domstad",
            "org-roc-gelderse-poort",
        ),
        communities=ALL,
        skills=(
            "technische tekeningen maken", "AutoCAD-tekeningen maken",
            "benodigde bouwmaterialen berekenen", "principes voor bouwconstructie",
            "werken in een bouwteam", "toezicht houden op bouwprojecten",
            "projectvoortgang documenteren", "BIM-modellering in Revit",
        ),
        interests=("bouwen", "renovatie", "biobased bouwen", "BIM", "duurzaam wonen"),
        focus=(
            "het voorbereiden en plannen van bouwwerk", "tekenen in AutoCAD en Revit",
            "het begroten van een bouwproject",
        ),
        weight=10,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Allround Timmerman (mbo 3)",
        level="mbo",
        institutions=("org-roc-scheldemond", "org-roc-west-brabant", "org-roc-domstad"),
        communities=(BIOBASED, TALENTCAMPUS),
        skills=(
            "houten elementen in constructies installeren", "isolatiemateriaal installeren",
            "timmerhoutproducten", "technische tekeningen", "werken in een bouwteam",
            "houtverduurzaming", "gebouwen renoveren",
        ),
        interests=("hout", "biobased bouwen", "ambachtelijk bouwen", "renovatie", "houtskeletbouw"),
        focus=(
            "werken met hout", "het bouwen van houtskeletwanden",
            "het bouwen van een huis, van fundering tot dak",
        ),
        weight=6,
        years=MBO3_YEARS,
    ),
    Programme(
        name="Laboratoriumanalist (mbo 4)",
        level="mbo",
        institutions=("org-roc-scheldemond", "org-roc-west-brabant", "org-roc-maasdelta"),
        communities=(BIOBASED,),
        skills=(
            "laboratoriumproeven uitvoeren", "chemische stoffen analyseren",
            "goede laboratoriumpraktĳk", "monsters voor analyse verzamelen",
            "hogedrukvloeistofchromatografie", "analyseresultaten rapporteren",
            "veilig met chemicaliën werken", "materialen testen",
        ),
        interests=("groene chemie", "biobased producten", "onderzoek", "algen", "kwaliteit"),
        focus=(
            "nauwkeurig werken in het lab", "het valideren van analysemethoden", "chromatografie",
        ),
        weight=8,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Operator C Procestechniek (mbo 4)",
        level="mbo",
        institutions=("org-roc-scheldemond", "org-roc-west-brabant", "org-roc-maasdelta"),
        communities=(BIOBASED,),
        skills=(
            "automatische procesbesturing toepassen", "productieprocessen",
            "statistische procesbeheersing", "veilig met chemicaliën werken",
            "kwaliteit van producten controleren", "storingen aan apparatuur oplossen",
            "biogasinstallaties bedienen",
        ),
        interests=("procesindustrie", "groene chemie", "biobased energie", "haven", "veiligheid"),
        focus=(
            "het bedienen van installaties vanuit de controlekamer",
            "het oplossen van procesverstoringen", "het werken in een grote fabriek",
        ),
        weight=7,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Software Developer (mbo 4)",
        level="mbo",
        institutions=(
            "org-roc-west-brabant", "org-roc-domstad", "org-roc-gelderse-poort",
            "org-roc-twentse-poort",
        ),
        communities=ALL,
        skills=(
            "computerprogrammering", "JavaScript", "PHP", "CSS", "SQL", "C#",
            "ontwerp van front-endwebsites implementeren", "databases beheren",
            "flexibel projectbeheer",
        ),
        interests=("digitalisering", "webapps", "gaming", "AI", "apps"),
        focus=(
            "het bouwen van webapplicaties", "het netjes opzetten van back-endcode",
            "uitzoeken waarom iets niet werkt",
        ),
        weight=10,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Expert IT Systems and Devices (mbo 4)",
        level="mbo",
        institutions=("org-roc-drechtsteden", "org-roc-domstad", "org-roc-gelderse-poort"),
        communities=(TALENTCAMPUS, INSTALLATIE),
        skills=(
            "ICT-problemen oplossen", "ICT-systeem beheren", "ICT-systeemgebruikers ondersteunen",
            "cyberbeveiliging", "cloudtechnologieën", "digitale vaardigheidskloven herkennen",
        ),
        interests=("cybersecurity", "netwerken", "digitalisering", "cloud"),
        focus=(
            "het beheren van netwerken en werkplekken",
            "collega's helpen met hun computerproblemen", "de beveiliging van systemen",
        ),
        weight=6,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Verzorgende-IG (mbo 3)",
        level="mbo",
        institutions=("org-roc-domstad", "org-roc-gelderse-poort"),
        communities=(TALENTCAMPUS,),
        skills=(
            "zorgen voor ouderen", "meeleven met gebruikers van gezondheidszorg",
            "gezond gedrag stimuleren",
            "elektronische systemen gebruiken voor het beheer van gezondheidsgegevens",
            "samenwerken met collega’s",
        ),
        interests=("ouderenzorg", "thuiszorg", "vitaliteit", "eHealth"),
        focus=(
            "het contact met ouderen", "zorg op maat bij mensen thuis",
            "het helpen van mensen om zo lang mogelijk zelfstandig te blijven",
        ),
        weight=6,
        years=MBO3_YEARS,
    ),
    Programme(
        name="Mbo-Verpleegkundige (mbo 4)",
        level="mbo",
        institutions=("org-roc-domstad", "org-roc-gelderse-poort"),
        communities=(TALENTCAMPUS,),
        skills=(
            "professionele zorg bieden bij verpleging", "voorlichten over preventie van ziekte",
            "elektronische systemen gebruiken voor het beheer van gezondheidsgegevens",
            "meeleven met gebruikers van gezondheidszorg",
            "geestelijke gezondheidsproblemen identificeren", "gezond gedrag stimuleren",
        ),
        interests=("wijkverpleging", "eHealth", "vitaliteit", "preventie", "ouderenzorg"),
        focus=(
            "wijkverpleging", "voorlichting over een gezonde leefstijl",
            "zorgtechnologie die het werk lichter maakt",
        ),
        weight=7,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Coördinator Sport, Bewegen en Gezondheid (mbo 4)",
        level="mbo",
        institutions=("org-roc-domstad", "org-roc-gelderse-poort"),
        communities=(TALENTCAMPUS,),
        skills=(
            "sporttrainingsprogramma's uitvoeren", "individuele trainingsprogramma's bieden",
            "gezond gedrag stimuleren",
            "klanten inlichten over voordelen van een gezonde levensstijl", "bewegingsfysiologie",
            "voeding",
        ),
        interests=("vitaliteit", "sport", "bewegen op het werk", "leefstijl", "voeding"),
        focus=(
            "het geven van beweeglessen", "mensen in beweging krijgen die niet van sporten houden",
            "het opstellen van trainingsschema's",
        ),
        weight=6,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Medewerker Marketing, Communicatie en Evenementen (mbo 4)",
        level="mbo",
        institutions=("org-roc-west-brabant", "org-roc-domstad"),
        communities=(BIOBASED, TALENTCAMPUS),
        skills=(
            "beheer van sociale media", "technieken voor digitale marketing", "grafisch ontwerp",
            "communiceren met klanten", "marktonderzoek uitvoeren", "webanalyse",
        ),
        interests=("social media", "marketing", "evenementen", "fotografie", "duurzaamheid"),
        focus=(
            "content maken voor sociale media", "het organiseren van evenementen",
            "het bedenken van campagnes",
        ),
        weight=6,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Logistiek Teamleider (mbo 4)",
        level="mbo",
        institutions=("org-roc-scheldemond", "org-roc-west-brabant"),
        communities=(BIOBASED,),
        skills=(
            "logistiek", "logistieke behoeftes analyseren", "multimodale vervoerslogistiek",
            "havenactiviteiten beheren", "team leiden",
            "efficiëntieplannen voor logistieke operaties ontwikkelen",
        ),
        interests=("haven", "logistiek", "duurzaam transport", "planning"),
        focus=(
            "het plannen van transporten", "het regelen van de overslag in de haven",
            "het aansturen van een team",
        ),
        weight=5,
        years=MBO4_YEARS,
    ),
    Programme(
        name="Eerste Monteur Koudetechniek (mbo 3)",
        level="mbo",
        institutions=("org-roc-drechtsteden", "org-roc-maasdelta"),
        communities=(INSTALLATIE,),
        skills=(
            "koelmiddelen", "werken met natuurlijke koudemiddelen",
            "onderdelen voor verwarming, ventilatie, klimaatregeling en koeling",
            "storingen aan apparatuur oplossen", "elektrische apparatuur testen",
            "warmtepompen installeren",
        ),
        interests=("koeltechniek", "warmtepompen", "glastuinbouw", "energietransitie"),
        focus=(
            "het in bedrijf stellen van koelinstallaties", "werken met natuurlijke koudemiddelen",
            "het oplossen van storingen in koelcellen",
        ),
        weight=4,
        years=MBO3_YEARS,
    ),
    # ----------------------------------------------------------------------------------- hbo
    Programme(
        name="Bouwkunde (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-zeeland-delta", "org-hogeschool-brabantse-wal",
            "org-hogeschool-domstad", "org-hogeschool-oost-nederland",
        ),
        communities=(BIOBASED, TALENTCAMPUS),
        skills=(
            "gebouwen ontwerpen", "technische tekeningen maken", "CADD-software gebruiken",
            "BIM-modellering in Revit", "bouwfysische berekeningen",
            "energieprestaties van gebouwen", "voldoen aan bouwvoorschriften", "projectbeheer",
            "kostenbeheer",
        ),
        interests=("BIM", "biobased bouwen", "renovatie", "duurzaam wonen", "architectuur"),
        focus=("ontwerpen in BIM", "bouwfysica", "het verduurzamen van bestaande woningen"),
        weight=10,
        years=HBO_YEARS,
    ),
    Programme(
        name="Biobased Building (hbo)",
        level="hbo",
        institutions=("org-hogeschool-brabantse-wal", "org-hogeschool-zeeland-delta"),
        communities=(BIOBASED,),
        skills=(
            "soorten isolatiemateriaal", "materiaalkunde",
            "levenscyclus van hulpbronnen beoordelen", "levenscyclusanalyse (LCA)",
            "monsters van bouwmaterialen testen", "duurzaamheid promoten",
            "vochtproblemen in gebouwen beheersen", "bouwproducten", "houtverduurzaming",
        ),
        interests=(
            "biobased bouwen", "hennep en vlas", "circulariteit", "CO2-opslag", "duurzaamheid",
        ),
        focus=(
            "bouwen met hennep, vlas en stro", "het testen van nieuwe bouwmaterialen",
            "rekenen aan de milieu-impact van een gebouw",
        ),
        weight=6,
        years=HBO_YEARS,
    ),
    Programme(
        name="Civiele Techniek (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-zeeland-delta", "org-hogeschool-maasmond", "org-hogeschool-domstad",
            "org-hogeschool-oost-nederland",
        ),
        communities=(BIOBASED, TALENTCAMPUS),
        skills=(
            "principes voor bouwconstructie", "stedelijke planning",
            "geografische informatiesystemen gebruiken", "AutoCAD-tekeningen maken",
            "projectbeheer", "kostenbeheer", "gevolgen voor het milieu beoordelen",
        ),
        interests=("infrastructuur", "klimaatadaptatie", "water", "stedelijke ontwikkeling"),
        focus=(
            "de klimaatadaptieve inrichting van wijken", "werken met GIS-kaarten",
            "het werken aan grote infraprojecten",
        ),
        weight=5,
        years=HBO_YEARS,
    ),
    Programme(
        name="Werktuigbouwkunde (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-zeeland-delta", "org-hogeschool-brabantse-wal",
            "org-hogeschool-maasmond", "org-hogeschool-gelderse-rivieren",
            "org-hogeschool-oost-nederland",
        ),
        communities=ALL,
        skills=(
            "thermodynamica", "warmteoverdrachtprocessen", "CADD-software gebruiken",
            "3D-modellering", "prototypes ontwerpen", "materiaalkunde",
            "technische rapporten schrijven", "energieaudit uitvoeren",
            "industriële verwarmingssystemen",
        ),
        interests=(
            "energietransitie", "warmtepompen", "machinebouw", "procestechniek", "waterstof",
        ),
        focus=(
            "het rekenen aan warmtestromen", "het ontwerpen van machines in 3D",
            "energiebesparing in de industrie",
        ),
        weight=10,
        years=HBO_YEARS,
    ),
    Programme(
        name="Elektrotechniek (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-maasmond", "org-hogeschool-gelderse-rivieren",
            "org-hogeschool-oost-nederland", "org-hogeschool-domstad",
        ),
        communities=ALL,
        skills=(
            "elektrotechniek", "regelsystemen", "programmeerbare logische besturingseenheid",
            "Python (computerprogrammering)", "voorzien in energiedistributie",
            "technologieën voor hernieuwbare energie", "energieopslag en netcongestie",
        ),
        interests=(
            "netcongestie", "zonne-energie", "slimme netten", "energietransitie",
            "embedded systemen",
        ),
        focus=(
            "het ontwerpen van slimme energiesystemen", "regeltechniek",
            "het stroomnet van de toekomst",
        ),
        weight=7,
        years=HBO_YEARS,
    ),
    Programme(
        name="Built Environment (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-domstad", "org-hogeschool-oost-nederland", "org-hogeschool-maasmond",
        ),
        communities=(TALENTCAMPUS, INSTALLATIE),
        skills=(
            "energieprestaties van gebouwen", "BENG-berekeningen", "warmteverliesberekening",
            "ventilatiesystemen", "automatisering in gebouwen", "bouwfysische berekeningen",
            "advies geven over energie-efficiëntie van verwarmingssystemen", "openBIM en IFC",
        ),
        interests=("installatietechniek", "energietransitie", "gezonde gebouwen", "BIM"),
        focus=(
            "het ontwerpen van installaties voor gezonde en zuinige gebouwen",
            "het maken van energieprestatieberekeningen",
            "de samenwerking tussen bouw en installatie",
        ),
        weight=7,
        years=HBO_YEARS,
    ),
    Programme(
        name="Technische Bedrijfskunde (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-brabantse-wal", "org-hogeschool-gelderse-rivieren",
            "org-hogeschool-oost-nederland",
        ),
        communities=ALL,
        skills=(
            "bedrijfsprocessen analyseren", "procesoptimalisering leiden", "sober projectbeheer",
            "kosten-batenanalyserapporten verstrekken", "modellering van bedrijfsprocessen",
            "kwaliteit beheren", "logistiek", "Excel",
        ),
        interests=("lean", "procesverbetering", "circulariteit", "productie", "duurzaamheid"),
        focus=(
            "processen slimmer inrichten", "lean werken",
            "de brug tussen techniek en bedrijfsvoering",
        ),
        weight=7,
        years=HBO_YEARS,
    ),
    Programme(
        name="Chemische Technologie (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-zeeland-delta", "org-hogeschool-brabantse-wal",
            "org-hogeschool-maasmond",
        ),
        communities=(BIOBASED,),
        skills=(
            "chemische processen verbeteren", "fermentatie op productieschaal",
            "biomassaconversie", "laboratoriumproeven uitvoeren", "veilig met chemicaliën werken",
            "statistische procesbeheersing", "technische rapporten schrijven",
            "chemische experimenten uitvoeren",
        ),
        interests=(
            "groene chemie", "bioraffinage", "biobased producten", "opschaling", "circulariteit",
        ),
        focus=("het opschalen van lab naar pilot", "groene chemie", "het ontwerpen van een proces"),
        weight=6,
        years=HBO_YEARS,
    ),
    Programme(
        name="Aquatische Ecotechnologie (hbo)",
        level="hbo",
        institutions=("org-hogeschool-zeeland-delta",),
        communities=(BIOBASED,),
        skills=(
            "ecologische beginselen", "laboratoriumproeven uitvoeren",
            "wetenschappelijke gegevens analyseren", "monsters voor analyse verzamelen",
            "biomassaconversie", "gevolgen voor het milieu beoordelen",
        ),
        interests=("zeewier", "algen", "Oosterschelde", "biobased producten", "ecologie"),
        focus=("het kweken van zeewier en algen", "veldwerk in de Oosterschelde", "waterkwaliteit"),
        weight=3,
        years=HBO_YEARS,
    ),
    Programme(
        name="HBO-ICT",
        level="hbo",
        institutions=(
            "org-hogeschool-zeeland-delta", "org-hogeschool-domstad",
            "org-hogeschool-gelderse-rivieren", "org-hogeschool-oost-nederland",
        ),
        communities=ALL,
        skills=(
            "Python (computerprogrammering)", "Java (computerprogrammering)", "JavaScript", "SQL",
            "softwaredesign creëren", "databases beheren", "cloudtechnologieën",
            "flexibel projectbeheer", "ontwerppatronen voor softwaregebruikersinterfaces",
            "cyberbeveiliging",
        ),
        interests=("digitalisering", "AI", "software", "data", "cybersecurity"),
        focus=(
            "softwareontwikkeling", "het bouwen van apps die mensen echt gebruiken",
            "werken met data en AI",
        ),
        weight=11,
        years=HBO_YEARS,
    ),
    Programme(
        name="Business IT & Management (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-domstad", "org-hogeschool-gelderse-rivieren",
            "org-hogeschool-maasmond",
        ),
        communities=ALL,
        skills=(
            "bedrijfsprocessen analyseren", "modellering van bedrijfsprocessen",
            "ict-projectbeheer", "gegevensanalyses uitvoeren", "Power BI-dashboards",
            "veranderingsmanagement toepassen", "systeemanalyses uitvoeren",
        ),
        interests=("digitalisering", "procesautomatisering", "data", "mkb"),
        focus=(
            "het digitaliseren van processen", "het bouwen van dashboards",
            "ICT en organisatie bij elkaar brengen",
        ),
        weight=7,
        years=HBO_YEARS,
    ),
    Programme(
        name="Verpleegkunde (hbo)",
        level="hbo",
        institutions=("org-hogeschool-domstad", "org-hogeschool-gelderse-rivieren"),
        communities=(TALENTCAMPUS,),
        skills=(
            "professionele zorg bieden bij verpleging", "voorlichten over preventie van ziekte",
            "gezond gedrag stimuleren", "wetenschappelijke onderzoeksmethodologie",
            "elektronische systemen gebruiken voor het beheer van gezondheidsgegevens",
            "meeleven met gebruikers van gezondheidszorg",
        ),
        interests=("wijkverpleging", "eHealth", "vitaliteit", "preventie"),
        focus=("wijkverpleging", "werken aan preventie en leefstijl", "eHealth in de thuiszorg"),
        weight=8,
        years=HBO_YEARS,
    ),
    Programme(
        name="Human Resource Management (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-domstad", "org-hogeschool-oost-nederland",
            "org-hogeschool-gelderse-rivieren",
        ),
        communities=(TALENTCAMPUS, INSTALLATIE),
        skills=(
            "personeelszaken beheren", "personeel aanwerven", "talent identificeren",
            "opleidingsbehoeften identificeren", "veranderingsmanagement toepassen",
            "vragenlijsten opstellen", "onderzoeksinterviews uitvoeren", "duurzame inzetbaarheid",
            "nieuwe werknemers voorstellen",
        ),
        interests=(
            "goed werkgeverschap", "duurzame inzetbaarheid", "vitaliteit", "leren en ontwikkelen",
            "diversiteit",
        ),
        focus=(
            "goed werkgeverschap in het mkb", "het inwerken van nieuwe medewerkers",
            "duurzame inzetbaarheid",
        ),
        weight=9,
        years=HBO_YEARS,
    ),
    Programme(
        name="Communicatie (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-domstad", "org-hogeschool-gelderse-rivieren",
            "org-hogeschool-brabantse-wal",
        ),
        communities=(BIOBASED, TALENTCAMPUS),
        skills=(
            "communicatiestrategieën ontwikkelen", "beheer van sociale media",
            "technieken voor digitale marketing", "focusgroepen interviewen",
            "presentatiemateriaal voorbereiden", "grafisch ontwerp",
        ),
        interests=(
            "campagnes", "energietransitie", "gedragsverandering", "social media", "storytelling",
        ),
        focus=(
            "het bedenken van campagnes die mensen echt in beweging zetten", "storytelling",
            "onderzoek naar de doelgroep",
        ),
        weight=6,
        years=HBO_YEARS,
    ),
    Programme(
        name="Fysiotherapie (hbo)",
        level="hbo",
        institutions=("org-hogeschool-domstad", "org-hogeschool-gelderse-rivieren"),
        communities=(TALENTCAMPUS,),
        skills=(
            "bewegingsfysiologie", "individuele trainingsprogramma's bieden",
            "ergonomie van de werkplek beoordelen", "gezond gedrag stimuleren",
            "klanten inlichten over voordelen van een gezonde levensstijl",
            "wetenschappelijke onderzoeksmethodologie",
        ),
        interests=("vitaliteit", "bewegen op het werk", "preventie", "sport"),
        focus=("het voorkomen van klachten op de werkvloer", "bewegen als medicijn", "ergonomie"),
        weight=6,
        years=HBO_YEARS,
    ),
    Programme(
        name="Industrieel Product Ontwerpen (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-brabantse-wal", "org-hogeschool-maasmond",
            "org-hogeschool-oost-nederland",
        ),
        communities=ALL,
        skills=(
            "productontwerpen ontwikkelen", "prototypes ontwerpen", "3D-modellering",
            "ontwerpbeginselen", "ergonomie", "circulair ontwerpen",
            "fysiek model van een product bouwen", "gespecialiseerde ontwerpsoftware gebruiken",
        ),
        interests=("circulair ontwerpen", "biobased materialen", "prototyping", "design"),
        focus=(
            "de weg van schets tot prototype", "ontwerpen met biobased materialen",
            "gebruikersonderzoek",
        ),
        weight=7,
        years=HBO_YEARS,
    ),
    Programme(
        name="Logistics Management (hbo)",
        level="hbo",
        institutions=("org-hogeschool-zeeland-delta", "org-hogeschool-brabantse-wal"),
        communities=(BIOBASED,),
        skills=(
            "logistiek", "logistieke behoeftes analyseren",
            "efficiëntieplannen voor logistieke operaties ontwikkelen",
            "multimodale vervoerslogistiek", "vervoerskosten analyseren",
            "gegevensanalyses uitvoeren", "havenactiviteiten beheren",
        ),
        interests=("havenlogistiek", "duurzaam transport", "supply chain", "biomassaketens"),
        focus=(
            "het ontwerpen van supply chains", "het verduurzamen van transport",
            "data gebruiken voor een betere planning",
        ),
        weight=5,
        years=HBO_YEARS,
    ),
    Programme(
        name="Milieukunde (hbo)",
        level="hbo",
        institutions=("org-hogeschool-zeeland-delta", "org-hogeschool-gelderse-rivieren"),
        communities=(BIOBASED, TALENTCAMPUS),
        skills=(
            "gevolgen voor het milieu beoordelen", "milieuwetgeving", "ecologische beginselen",
            "emissienormen", "levenscyclus van hulpbronnen beoordelen",
            "geografische informatiesystemen gebruiken", "afvalbeheer",
        ),
        interests=("duurzaamheid", "circulariteit", "klimaat", "natuur", "luchtkwaliteit"),
        focus=(
            "milieuwetgeving in de praktijk", "het meten van uitstoot", "de circulaire economie",
        ),
        weight=5,
        years=HBO_YEARS,
    ),
    Programme(
        name="Bedrijfskunde (hbo)",
        level="hbo",
        institutions=(
            "org-hogeschool-zeeland-delta", "org-hogeschool-brabantse-wal",
            "org-hogeschool-domstad",
        ),
        communities=(BIOBASED, TALENTCAMPUS),
        skills=(
            "bedrijfsdoelstellingen analyseren", "marktonderzoek uitvoeren",
            "strategische planning", "kosten-batenanalyserapporten verstrekken",
            "subsidies zoeken", "marketingstrategieën plannen", "projectbeheer",
        ),
        interests=("ondernemerschap", "businesscases", "duurzaamheid", "mkb", "innovatie"),
        focus=(
            "het doorrekenen van businesscases", "strategie voor kleine bedrijven",
            "marktonderzoek",
        ),
        weight=7,
        years=HBO_YEARS,
    ),
    # ------------------------------------------------------------------------------------ wo
    Programme(
        name="Technische Bedrijfskunde (wo)",
        level="wo",
        institutions=("org-tu-oost",),
        communities=ALL,
        skills=(
            "bedrijfsprocessen analyseren", "voorspellende modellen bouwen",
            "technieken toepassen voor statistische analyses", "Python (computerprogrammering)",
            "strategische planning", "procesoptimalisering leiden",
            "wetenschappelijke onderzoeksmethodologie",
        ),
        interests=("operations research", "planning", "digitalisering", "energietransitie", "mkb"),
        focus=(
            "het optimaliseren van planningen", "datagedreven besluitvorming",
            "operations management",
        ),
        weight=7,
        years=WO_YEARS,
    ),
    Programme(
        name="Civiele Techniek (wo)",
        level="wo",
        institutions=("org-tu-zuid-holland", "org-tu-oost"),
        communities=ALL,
        skills=(
            "principes voor bouwconstructie", "stedelijke planning",
            "geografische informatiesystemen gebruiken", "Python (computerprogrammering)",
            "levenscyclusanalyse (LCA)", "wetenschappelijke onderzoeksmethodologie",
            "gevolgen voor het milieu beoordelen",
        ),
        interests=("klimaatadaptatie", "biobased bouwen", "infrastructuur", "circulair bouwen"),
        focus=("circulaire infrastructuur", "het rekenen aan houtconstructies", "klimaatadaptatie"),
        weight=5,
        years=WO_YEARS,
    ),
    Programme(
        name="Industrieel Ontwerpen (wo)",
        level="wo",
        institutions=("org-tu-zuid-holland", "org-tu-oost"),
        communities=ALL,
        skills=(
            "productontwerpen ontwikkelen", "prototypes ontwerpen", "ergonomie",
            "circulair ontwerpen", "onderzoeksinterviews uitvoeren", "3D-modellering",
            "wetenschappelijke onderzoeksmethodologie",
        ),
        interests=(
            "circulair ontwerpen", "gebruikersonderzoek", "biobased materialen", "zorgtechnologie",
        ),
        focus=(
            "ontwerpen voor de circulaire economie", "gebruikersonderzoek",
            "het ontwerpen van zorgproducten",
        ),
        weight=6,
        years=WO_YEARS,
    ),
    Programme(
        name="Biotechnologie (wo)",
        level="wo",
        institutions=("org-universiteit-gelderse-vallei",),
        communities=(BIOBASED,),
        skills=(
            "fermentatie op productieschaal", "biomassaconversie", "laboratoriumproeven uitvoeren",
            "wetenschappelijke gegevens analyseren", "Python (computerprogrammering)",
            "wetenschappelijke onderzoeksmethodologie", "chemische experimenten uitvoeren",
        ),
        interests=("algen", "fermentatie", "bioraffinage", "groene chemie"),
        focus=(
            "het werken met fermentatie en bioprocessen", "onderzoek aan microalgen",
            "bioraffinage",
        ),
        weight=6,
        years=WO_YEARS,
    ),
    Programme(
        name="Scheikundige Technologie (wo)",
        level="wo",
        institutions=("org-tu-zuid-holland",),
        communities=(BIOBASED,),
        skills=(
            "chemische processen verbeteren", "thermodynamica",
            "automatische procesbesturing toepassen", "wetenschappelijke gegevens analyseren",
            "Python (computerprogrammering)", "veilig met chemicaliën werken", "biomassaconversie",
        ),
        interests=("groene chemie", "procesontwerp", "lignine", "opschaling"),
        focus=(
            "procesontwerp", "katalyse voor groene chemie", "het opschalen van nieuwe processen",
        ),
        weight=5,
        years=WO_YEARS,
    ),
    Programme(
        name="Sustainable Energy Technology (wo)",
        level="wo",
        institutions=("org-tu-zuid-holland",),
        communities=(BIOBASED, INSTALLATIE),
        skills=(
            "technologieën voor hernieuwbare energie", "energietechniek", "thermodynamica",
            "Python (computerprogrammering)", "voorspellende modellen bouwen", "energiemarkt",
            "energieopslag en netcongestie",
        ),
        interests=(
            "energietransitie", "warmtenetten", "energieopslag", "waterstof", "netcongestie",
        ),
        focus=(
            "het modelleren van energiesystemen", "het ontwerpen van warmtenetten",
            "energieopslag",
        ),
        focus_en=(
            "modelling energy systems", "district heating networks",
            "energy storage and grid congestion",
        ),
        weight=6,
        years=((4, 55), (5, 45)),  # an English-taught master only
        international=0.6,
    ),
    Programme(
        name="Arbeids- en Organisatiepsychologie (wo)",
        level="wo",
        institutions=("org-universiteit-domstad",),
        communities=(TALENTCAMPUS,),
        skills=(
            "onderzoeksinterviews uitvoeren", "vragenlijsten opstellen",
            "technieken toepassen voor statistische analyses", "veranderingsmanagement toepassen",
            "geestelijke gezondheidsproblemen identificeren", "duurzame inzetbaarheid",
            "wetenschappelijke onderzoeksmethodologie",
        ),
        interests=("vitaliteit", "goed werkgeverschap", "werkstress", "duurzame inzetbaarheid"),
        focus=(
            "onderzoek naar werkstress en herstel", "goed werkgeverschap",
            "onderzoek naar welzijn op het werk",
        ),
        weight=5,
        years=WO_ONE_YEAR_MASTER,
    ),
    Programme(
        name="Data Science (wo)",
        level="wo",
        institutions=("org-universiteit-domstad", "org-tu-oost"),
        communities=(TALENTCAMPUS, INSTALLATIE),
        skills=(
            "Python (computerprogrammering)", "grote hoeveelheden gegevens analyseren",
            "datamining", "voorspellende modellen bouwen", "statistische patronen identificeren",
            "SQL", "technieken toepassen voor statistische analyses",
        ),
        interests=("AI", "machine learning", "digitalisering", "energietransitie", "zorgdata"),
        focus=(
            "machine learning op echte bedrijfsdata", "het bouwen van voorspellende modellen",
            "het analyseren van data uit sensoren",
        ),
        focus_en=("machine learning on real company data", "predictive maintenance", "sensor data"),
        weight=6,
        years=WO_ONE_YEAR_MASTER,
        international=0.4,
    ),
    Programme(
        name="Milieuwetenschappen (wo)",
        level="wo",
        institutions=("org-universiteit-gelderse-vallei",),
        communities=(BIOBASED, TALENTCAMPUS),
        skills=(
            "gevolgen voor het milieu beoordelen", "levenscyclusanalyse (LCA)",
            "levenscyclus van hulpbronnen beoordelen", "ecologische beginselen",
            "wetenschappelijke gegevens analyseren", "milieuwetgeving",
            "gewassen telen voor biomassa",
        ),
        interests=("circulariteit", "LCA", "biobased producten", "klimaat"),
        focus=(
            "het uitvoeren van levenscyclusanalyses", "de circulaire economie",
            "de milieu-impact van biobased materialen",
        ),
        weight=4,
        years=WO_YEARS,
    ),
]  # fmt: skip

# Skills any student may add to the programme-specific ones.
GENERIC_SKILLS = (
    "samenwerken met collega’s",
    "zelfstandig werken",
    "creatief denken",
    "oplossingen voor problemen creëren",
    "problemen kritisch behandelen",
    "rapporten presenteren",
)

LEVEL_COUNTS = {"mbo": 120, "hbo": 135, "wo": 45}  # 40 / 45 / 15 %
STUDENTS_WITHOUT_CONSENT = 30  # exactly 10 %

# ---------------------------------------------------------------------------- names (fictional)
DUTCH_FIRST = (
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Thijs", "Jesse", "Ruben", "Bram", "Stijn", "Lars",
    "Tim", "Niels", "Jens", "Koen", "Sven", "Joris", "Wouter", "Teun", "Luuk", "Milan", "Gijs",
    "Jasper", "Tygo", "Emma", "Julia", "Sophie", "Lotte", "Fleur", "Sanne", "Anouk", "Lisa",
    "Eva", "Iris", "Noor", "Femke", "Marit", "Roos", "Esmee", "Jasmijn", "Maud", "Floor",
    "Tess", "Lieke", "Amber", "Isa", "Nina", "Romy",
)  # fmt: skip
DUTCH_LAST = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit",
    "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Kok", "Jacobs",
    "van der Heijden", "Schouten", "Maas", "Verbeek", "Kuipers", "Post", "Huisman",
    "Willemsen", "Koster", "Prins", "van Wijk", "Blom", "Timmermans", "Groen", "Kramer",
)  # fmt: skip
# Regional surnames make a student from Zeeland sound different from one from Twente.
REGIONAL_SURNAMES = {
    "zeeland": ("Geschiere", "Minderhoud", "de Kraker", "Verhage", "Kousemaker", "Boonman",
                "Bliek", "Steketee", "Louwerse", "Sinke"),
    "brabant": ("van Gils", "Aarts", "van Loon", "Smulders", "van de Ven", "Bressers",
                "Rijkers", "Oomen", "Huijbregts", "Koenraadt"),
    "zuid-holland": ("Ouwehand", "van der Plas", "Kooijman", "Verhoef", "Hoogendijk",
                     "van der Valk", "Westerman", "Zwaan"),
    "utrecht": ("van Beek", "van Dam", "Schipper", "Rijnders", "van Rooijen", "Lagerweij",
                "Methorst", "de Kruijf", "van Eck"),
    "gelderland": ("Hermsen", "Gerritsen", "Arends", "Roelofs", "Wijers", "van Ginkel",
                   "Hendriksen", "Lamers", "Evers", "Gosselink"),
    "overijssel": ("Nijhuis", "Kamphuis", "Wissink", "Leferink", "Oude Nijhuis", "Hulsbos",
                   "Bruggink", "Hofstede", "Lubbers"),
}  # fmt: skip


@dataclass(frozen=True)
class NameGroup:
    """Names of one background among Dutch students, with the family language if any."""

    weight: int
    first: tuple[str, ...]
    last: tuple[str, ...]
    language: str | None
    regional: bool = False  # may take a surname typical of the institution's region


NAME_GROUPS = (
    NameGroup(60, DUTCH_FIRST, DUTCH_LAST, None, regional=True),
    NameGroup(8, ("Mohammed", "Yassine", "Bilal", "Ayoub", "Hamza", "Ilias", "Soufiane", "Anas",
                  "Imane", "Fatima", "Salma", "Nora", "Sara", "Yasmina", "Khadija", "Hajar"),
              ("El Amrani", "Bouzid", "Ait Taleb", "El Idrissi", "Ouali", "Azzouzi", "Chaouch",
               "El Khattabi", "Bouchtaoui", "Ben Haddou", "Ziani", "Amghar"), "ar"),
    NameGroup(8, ("Emre", "Mehmet", "Burak", "Kaan", "Yusuf", "Can", "Elif", "Zeynep", "Esra",
                  "Merve", "Ayşe", "Deniz", "Büşra", "Selin"),
              ("Yılmaz", "Demir", "Kaya", "Şahin", "Çelik", "Aydın", "Öztürk", "Arslan", "Doğan",
               "Kılıç", "Koç", "Aksoy"), "tr"),
    NameGroup(6, ("Jayden", "Ravi", "Quincy", "Dwayne", "Rajesh", "Shanti", "Priya", "Shanice",
                  "Kimberley", "Anjali", "Naomi", "Giovanni", "Jurgen", "Chanel"),
              ("Ramdin", "Sewnath", "Jagesar", "Kartosen", "Pinas", "Martina", "Rosaria",
               "Doelwijt", "Ramsaran", "Soekhai", "Monsels"), None),
    NameGroup(3, DUTCH_FIRST, ("Pattinama", "Latuheru", "Siahaya", "Wattimena", "Tahapary",
                               "Pattiasina", "Lekatompessy"), None),
    NameGroup(5, ("Kacper", "Jakub", "Mateusz", "Piotr", "Kamil", "Zuzanna", "Natalia",
                  "Wiktoria", "Oliwia", "Julia"),
              ("Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Zając", "Dudek", "Pawlak"),
              "pl"),
    NameGroup(4, ("Omar", "Rami", "Ahmad", "Tarek", "Majd", "Lina", "Hiba", "Rania", "Nour",
                  "Yara"),
              ("Alhassan", "Haddad", "Al Khatib", "Darwish", "Mansour", "Khalil", "Al Masri",
               "Hamwi"), "ar"),
    NameGroup(2, ("Semhar", "Yonas", "Filmon", "Senait", "Robel", "Luwam"),
              ("Tesfay", "Gebremedhin", "Kidane", "Haile", "Berhane", "Tekle"), "ti"),
    NameGroup(2, ("Kevin", "Jenny", "Wei", "Lin", "Vincent", "Mei", "Jason", "Amy"),
              ("Chen", "Wong", "Li", "Zhang", "Lam", "Cheung"), "zh"),
    NameGroup(2, ("Kwame", "Kofi", "Akosua", "Ama", "Nana", "Yaw", "Abena", "Kojo"),
              ("Mensah", "Owusu", "Boateng", "Asante", "Osei", "Appiah"), None),
)  # fmt: skip

# International students in English-taught programmes: (language, first names, last names).
INTERNATIONAL_NAMES = (
    ("it", ("Luca", "Giulia", "Marco", "Chiara"), ("Romano", "Esposito", "Greco", "Ferri")),
    ("es", ("Mateo", "Lucía", "Pablo", "Elena"), ("García Ruiz", "Navarro", "Ortega", "Molina")),
    ("de", ("Jonas", "Lena", "Felix", "Hannah"), ("Becker", "Schulz", "Wagner", "Hoffmann")),
    ("hi", ("Arjun", "Ananya", "Rohan", "Kavya"), ("Nair", "Iyer", "Mehta", "Kulkarni")),
    ("pt", ("Tomás", "Inês", "Diogo", "Beatriz"), ("Ferreira", "Carvalho", "Sousa", "Mendes")),
    ("fr", ("Louis", "Camille", "Hugo", "Chloé"), ("Lefèvre", "Moreau", "Girard", "Fontaine")),
)

LANGUAGE_NAMES_NL = {
    "en": "Engels", "de": "Duits", "ar": "Arabisch", "tr": "Turks", "pl": "Pools",
    "ti": "Tigrinya", "zh": "Chinees",
}  # fmt: skip

# ------------------------------------------------------------------------ the "about me" texts
# Sentences are drawn from three groups (who I am, what drives me, what I look for), each
# with several wordings, so that 300 texts do not read alike. A template may carry a tag:
# "wens" and "plaats" are used at most once per text; "taal" and "ervaring" need context.
INTRO_NL = (
    ("Ik ben {naam} en zit {fase} bij {instelling}.", ""),
    ("Als {jaars} {opleiding} aan {instelling} zoek ik {wens}.", "wens"),
    ("Ik studeer {opleiding} bij {instelling} en woon in {plaats}.", "plaats"),
    ("Hoi, ik ben {naam}, student {opleiding} bij {instelling}, en ik zit {fase_kort}.", ""),
    ("Na {vooropleiding} ben ik begonnen aan {opleiding} bij {instelling}; nu zit ik {fase_kort}.",
     ""),
)  # fmt: skip
MOTIVATION_NL = (
    ("Ik word enthousiast van {focus}.", ""),
    ("Vooral {focus} trekt me, en ik wil graag zien hoe dat in een echt bedrijf gaat.", ""),
    ("Het leukste aan mijn opleiding vind ik {focus}, maar ik wil ook meer leren over "
     "{interesse}.", ""),
    ("Tijdens mijn vorige stage merkte ik dat {focus} echt bij me past.", "ervaring"),
    ("Naast mijn studie {hobby}; daar leer ik {leer}.", ""),
    ("Ik ben {eigenschap} en houd ervan om {werkstijl}.", ""),
    ("Volgens mijn docenten ligt mijn kracht bij {focus}, en dat wil ik graag in de praktijk "
     "laten zien.", ""),
)  # fmt: skip
WISH_NL = (
    ("Ik zoek {wens} bij een mkb-bedrijf waar ik echt kan meedraaien.", "wens"),
    ("Het liefst werk ik in een klein team, niet te ver van {plaats}.", "plaats"),
    ("Ik hoop mee te werken aan een project rond {interesse}.", ""),
    ("Graag een plek waar ik veel kan vragen en ook zelf dingen mag uitzoeken.", ""),
    ("Ik wil vooral leren hoe het er in de praktijk aan toegaat.", ""),
    ("Een bedrijf dat tijd neemt voor begeleiding vind ik belangrijk.", ""),
    ("Of het bedrijf groot of klein is maakt me niet uit, als ik maar iets nuttigs kan doen.",
     ""),
    ("Ik werk het liefst aan iets waarvan ik zie dat het echt gebruikt wordt.", ""),
    ("Vanaf {maand} heb ik ongeveer {uren} uur per week tijd voor {wens}.", "wens"),
    ("Ik spreek ook {taal}, dus een team met internationale collega's vind ik juist leuk.",
     "taal"),
)  # fmt: skip
INTRO_EN = (
    ("I am {naam}, a master student in {opleiding} at {instelling}.", ""),
    ("Hi, I'm {naam} and I moved to {plaats} for the master {opleiding} at {instelling}.", ""),
)
MOTIVATION_EN = (
    ("I am especially interested in {focus}.", ""),
    ("What I enjoy most is {focus}, and I would like to apply it in a real company.", ""),
)
WISH_EN = (
    ("I am looking for {wens} with a team that works in English.", ""),
    ("I am still learning Dutch, so an English-friendly workplace would be great.", ""),
    ("I would love to work on something that is actually used.", ""),
    ("From {maand} I can work about {uren} hours a week.", ""),
)

HOBBIES = (
    "werk ik in een bouwmarkt",
    "speel ik voetbal bij de club in mijn dorp",
    "help ik vaak mee in het bedrijf van mijn oom",
    "ben ik vrijwilliger bij de voedselbank",
    "geef ik zwemles",
    "sleutel ik aan oude brommers",
    "werk ik in de bediening van een strandpaviljoen",
    "ben ik leiding bij de scouting",
    "werk ik in een supermarkt",
    "train ik twee keer per week bij een kickboksschool",
    "speel ik gitaar in een band",
    "programmeer ik kleine spelletjes",
    "help ik mijn ouders in hun restaurant",
    "zit ik in het bestuur van mijn studievereniging",
    "werk ik als oppas bij twee gezinnen",
    "loop ik hard met een groep uit de buurt",
)
LESSONS = (
    "om met allerlei mensen om te gaan",
    "wat aanpakken is",
    "goed te plannen",
    "verantwoordelijkheid te nemen",
    "rustig te blijven als het druk wordt",
)
TRAITS = (
    "nieuwsgierig",
    "praktisch ingesteld",
    "een echte doener",
    "rustig en precies",
    "sociaal en direct",
    "iemand die graag dingen uitzoekt",
)
WORK_STYLES = (
    "dingen uit te zoeken tot ik snap hoe het zit",
    "met mijn handen te werken",
    "samen met anderen een probleem op te lossen",
    "overzicht te brengen in een rommelig proces",
    "iets af te maken waar ik trots op kan zijn",
)
PRIOR_EDUCATION = {
    "mbo": ("het vmbo", "het vmbo en een jaar werken"),
    "hbo": ("de havo", "mijn mbo-diploma", "een paar jaar werken"),
    "wo": ("het vwo",),
    "master": ("mijn bachelor", "een hbo-bachelor en een premaster"),
}
ORDINALS = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde", 5: "vijfde"}
MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

# Availability windows start on Mondays at the usual moments: semester 2 (February), the
# fourth period (April) and the new academic year (September).
ASSIGNMENT_STARTS = ("2026-12-07", "2027-01-11", "2027-02-08", "2027-02-08", "2027-04-19",
                     "2027-09-06")  # fmt: skip
INTERNSHIP_STARTS = ("2027-01-04", "2027-02-01", "2027-02-01", "2027-02-08", "2027-09-06")
GRADUATION_STARTS = ("2027-02-01", "2027-02-01", "2027-02-08")
TRAVEL_KM = {
    "mbo": (10, 15, 20, 25, 30, 40),
    "hbo": (15, 20, 25, 30, 40, 50, 60),
    "wo": (20, 30, 40, 50, 60, 80, 100),
}


def weighted(rng: random.Random, options: list[T], weights: list[int]) -> T:
    """One weighted choice; a thin wrapper so the call sites read clearly."""
    return rng.choices(options, weights=weights, k=1)[0]


def wish_for(rng: random.Random, level: str, year: int) -> str:
    """What a student looks for, following the usual rhythm of Dutch programmes."""
    if level == "mbo":  # mbo has internships (bpv) from the first year, no graduation project
        return "stage" if rng.random() < (0.3 if year == 1 else 0.8) else "opdracht"
    if level == "hbo":  # year 1 small assignments, years 2-3 internships, year 4 graduation
        if year == 4:
            return "afstuderen" if rng.random() < 0.8 else "opdracht"
        internship = {1: 0.0, 2: 0.4, 3: 0.7}[year]
        return "stage" if rng.random() < internship else "opdracht"
    # wo: small projects in the bachelor, a graduation project in the master
    return "afstuderen" if year >= 4 and rng.random() < 0.7 else "opdracht"


def availability(rng: random.Random, level: str, wish: str) -> tuple[dt.date, dt.date, int]:
    """Available from, available until and hours per week for this kind of wish."""
    if wish == "opdracht":
        start = dt.date.fromisoformat(rng.choice(ASSIGNMENT_STARTS))
        weeks = rng.choice((10, 12, 16))
        hours = rng.choice((8, 8, 12, 12, 16, 16, 20))
    elif wish == "stage":
        start = dt.date.fromisoformat(rng.choice(INTERNSHIP_STARTS))
        weeks = 20
        hours = rng.choice((32, 32, 36, 40))
    else:
        start = dt.date.fromisoformat(rng.choice(GRADUATION_STARTS))
        weeks = 24 if level == "wo" else 20
        hours = rng.choice((36, 40, 40))
    if start.month == 9:  # keep an autumn window inside 2027
        weeks = min(weeks, 15)
    return start, period_end(start, weeks), hours


def wish_phrase(wish: str, level: str, english: bool) -> str:
    """How the student names what they look for, in the text of the about me."""
    if english:
        return "a graduation project" if wish == "afstuderen" else "a project next to my studies"
    if wish == "opdracht":
        return "een opdracht naast mijn studie"
    if wish == "stage":
        return "een stageplek" if level == "mbo" else "een stage"
    return "een afstudeerproject voor mijn master" if level == "wo" else "een afstudeeropdracht"


def compose_about(rng: random.Random, ctx: dict[str, str], focus: list[str], english: bool) -> str:
    """Two or three sentences: one intro, then motivation and/or a wish, never a tag twice.

    Each sentence that mentions what the student likes takes the next phrase from `focus`,
    so a text never repeats itself.
    """
    intro, motivation, wish = (
        (INTRO_EN, MOTIVATION_EN, WISH_EN) if english else (INTRO_NL, MOTIVATION_NL, WISH_NL)
    )
    used: set[str] = set()  # tags and template texts already in this text

    def pick(templates: tuple[tuple[str, str], ...]) -> str:
        usable = [
            text
            for text, tag in templates
            if text not in used
            and not (tag in ("wens", "plaats") and tag in used)
            and not (tag == "taal" and "taal" not in ctx)
            and not (tag == "ervaring" and "ervaring" not in ctx)
        ]
        text = rng.choice(usable)
        used.add(text)
        used.update(tag for t, tag in templates if t == text and tag)
        if "{focus}" in text:
            return text.format(**ctx, focus=focus.pop())
        return text.format(**ctx)

    sentences = [pick(intro)]
    shape = rng.choice(("mw", "mw", "m", "w", "mm"))
    sentences += [pick(motivation if part == "m" else wish) for part in shape]
    return " ".join(sentences)


def with_article(name: str) -> str:
    """Dutch says "aan de Universiteit Domstad" but "bij Hogeschool Domstad" and "bij ROC X"."""
    return f"de {name}" if name.startswith(("Universiteit", "Technische Universiteit")) else name


def short_programme(name: str) -> str:
    """Programme name without the level in brackets: "Bouwkunde (hbo)" -> "Bouwkunde"."""
    return name.split(" (")[0]


def student_name(
    rng: random.Random, programme: Programme, institution: Institution
) -> tuple[str, str, str | None, bool]:
    """First name, full name, family language and whether the student is international."""
    if programme.international and rng.random() < programme.international:
        language, firsts, lasts = rng.choice(INTERNATIONAL_NAMES)
        first = rng.choice(firsts)
        return first, f"{first} {rng.choice(lasts)}", language, True
    group = weighted(rng, list(NAME_GROUPS), [g.weight for g in NAME_GROUPS])
    first = rng.choice(group.first)
    if group.regional and rng.random() < 0.4:
        last = rng.choice(REGIONAL_SURNAMES[institution.surnames])
    else:
        last = rng.choice(group.last)
    return first, f"{first} {last}", group.language, False


def build_student(rng: random.Random, number: int, level: str, taken_names: set[str]) -> dict:
    """One student profile; `taken_names` keeps every full name unique."""
    programmes = [p for p in PROGRAMMES if p.level == level]
    programme = weighted(rng, programmes, [p.weight for p in programmes])
    institution = INSTITUTION_BY_ID[rng.choice(programme.institutions)]
    communities = [
        c for c in COMMUNITY_ORDER if c in institution.communities and c in programme.communities
    ]
    if len(communities) > 1 and rng.random() < 0.65:  # most students join one community
        communities = [rng.choice(communities)]
    while True:
        first, full_name, family_language, international = student_name(rng, programme, institution)
        if full_name not in taken_names:
            taken_names.add(full_name)
            break
    year = weighted(rng, [y for y, _ in programme.years], [w for _, w in programme.years])
    master = level == "wo" and year >= 4
    wish = wish_for(rng, level, year)
    start, until, hours = availability(rng, level, wish)

    if international:
        languages = ["en", family_language]
        home = institution.towns[0]  # newcomers live near the campus
    else:
        languages = ["nl"]
        if rng.random() < {"mbo": 0.75, "hbo": 0.95, "wo": 1.0}[level]:
            languages.append("en")
        if rng.random() < 0.1:
            languages.append("de")
        if family_language and rng.random() < 0.5:
            languages.append(family_language)
        home = rng.choice(institution.towns)

    skills = rng.sample(programme.skills, rng.randint(4, min(7, len(programme.skills))))
    if rng.random() < 0.5:
        skills.append(rng.choice([s for s in GENERIC_SKILLS if s not in skills]))
    if "en" in languages and rng.random() < (0.9 if international else 0.25):
        skills.append("Engels")
    if "de" in languages and rng.random() < 0.5:
        skills.append("Duits")
    interests = rng.sample(programme.interests, rng.randint(3, min(4, len(programme.interests))))

    english = international
    focus = list(programme.focus_en if english else programme.focus)
    rng.shuffle(focus)
    ctx = {
        "naam": first,
        "opleiding": short_programme(programme.name),
        "instelling": institution.name if english else with_article(institution.name),
        "fase": f"in de master {short_programme(programme.name)}"
        if master
        else f"in het {ORDINALS[year]} jaar van {short_programme(programme.name)}",
        "fase_kort": "in de master" if master else f"in het {ORDINALS[year]} jaar",
        "jaars": "masterstudent" if master else f"{ORDINALS[year]}jaarsstudent",
        "vooropleiding": rng.choice(PRIOR_EDUCATION["master" if master else level]),
        "interesse": rng.choice(interests),
        "hobby": rng.choice(HOBBIES),
        "leer": rng.choice(LESSONS),
        "eigenschap": rng.choice(TRAITS),
        "werkstijl": rng.choice(WORK_STYLES),
        "wens": wish_phrase(wish, level, english),
        "plaats": home,
        "maand": (MONTHS_EN if english else MONTHS_NL)[start.month - 1],
        "uren": str(hours),
    }
    extra = [lang for lang in languages if lang not in ("nl", "en")]
    if extra and not english:
        ctx["taal"] = LANGUAGE_NAMES_NL[extra[-1]]
    if level != "wo" and year >= 2:  # has done an internship before
        ctx["ervaring"] = "ja"

    return {
        "id": f"stu-{number:03d}",
        "community_ids": communities,
        "full_name": full_name,
        "programme": programme.name,
        "institution": institution.name,
        "level": level,
        "year": year,
        "skills": [skill(label) for label in skills],
        "interests": interests,
        "about": compose_about(rng, ctx, focus, english),
        "languages": languages,
        "available_from": start.isoformat(),
        "available_until": until.isoformat(),
        "hours_per_week": hours,
        "region": home,
        "travel_km": rng.choice(TRAVEL_KM[level]),
        "consent_matching": True,
        "visibility": weighted(rng, ["community_after_approval", "intermediaries"], [6, 4]),
    }


def build_students(rng: random.Random, reserved_names: set[str]) -> list[dict]:
    """The 300 students: levels in the agreed proportions, in shuffled order."""
    levels = [level for level, count in LEVEL_COUNTS.items() for _ in range(count)]
    rng.shuffle(levels)
    taken = set(reserved_names)  # never reuse a name of a contact person or demo user
    students = [build_student(rng, n, level, taken) for n, level in enumerate(levels, 1)]
    for index in rng.sample(range(len(students)), STUDENTS_WITHOUT_CONSENT):
        students[index]["consent_matching"] = False
    return students


# --------------------------------------------------------------------------------------------
# Users: one demo login per role per community. Passwords are never stored here.
# --------------------------------------------------------------------------------------------
PASSWORD_NOTE = "Demo login; the password is set by the loader and is not stored in this file."

STAFF_USERS = [
    # (id, full name, email, role, communities, organisation)
    ("usr-admin", "Tamara Veldkamp", "admin@example.com", "admin", list(COMMUNITY_ORDER), None),
    ("usr-intermediair-biobased", "Sanne Verhulst", "sanne.verhulst@example.nl",
     "intermediary", [BIOBASED], "org-ontwikkelingsmaatschappij-schelde-delta"),
    ("usr-intermediair-talentcampus", "Jeroen Achterberg", "jeroen.achterberg@example.nl",
     "intermediary", [TALENTCAMPUS], "org-talentcampus-eemstad"),
    ("usr-intermediair-installatie", "Nadia Boukhari", "nadia.boukhari@example.nl",
     "intermediary", [INSTALLATIE], "org-leren-in-de-installatie"),
    ("usr-mkb-vlasvezel", "Marco Geschiere", "marco.geschiere@example.nl", "sme", [BIOBASED],
     "org-vlasvezel-isolatie"),
    ("usr-mkb-ligninelab", "Elena Vermeulen", "elena.vermeulen@example.nl", "sme", [BIOBASED],
     "org-ligninelab"),
    ("usr-mkb-thuiszorg", "Ingrid Hoekstra", "ingrid.hoekstra@example.nl", "sme",
     [TALENTCAMPUS], "org-thuiszorg-eemland"),
    ("usr-mkb-webbureau", "Thomas Rietveld", "thomas.rietveld@example.nl", "sme",
     [TALENTCAMPUS], "org-webbureau-eemkwartier"),
    ("usr-mkb-van-rijn", "Erik van Rijn", "erik.vanrijn@example.nl", "sme", [INSTALLATIE],
     "org-van-rijn-installaties"),
    ("usr-mkb-ijsselstroom", "Monique Brinkhuis", "monique.brinkhuis@example.nl", "sme",
     [INSTALLATIE], "org-installatiegroep-ijsselstroom"),
]  # fmt: skip


def email_local_part(full_name: str) -> str:
    """The ASCII part before the @: "Ayşe Yılmaz" becomes "ayse.yilmaz"."""
    ascii_name = (
        unicodedata.normalize("NFKD", full_name.replace("ı", "i").replace("ł", "l"))
        .encode("ascii", "ignore")
        .decode()
        .lower()
    )
    parts = ascii_name.split()
    return f"{parts[0]}.{''.join(parts[1:])}"


def build_users(students: list[dict]) -> list[dict]:
    """Staff users plus two student logins per community (the first mbo and hbo student)."""
    users = []
    for user_id, name, email, role, communities, organisation_id in STAFF_USERS:
        user = {
            "id": user_id,
            "email": email,
            "full_name": name,
            "role": role,
            "community_ids": communities,
        }
        if organisation_id:  # the admin belongs to no organisation
            user["organisation_id"] = organisation_id
        users.append(user | {"note": PASSWORD_NOTE})
    for community in COMMUNITY_ORDER:
        for level in ("mbo", "hbo"):
            student = next(
                s
                for s in students
                if s["community_ids"] == [community]
                and s["level"] == level
                and s["consent_matching"]
            )
            users.append(
                {
                    "id": f"usr-student-{student['id'].removeprefix('stu-')}",
                    "email": f"{email_local_part(student['full_name'])}@example.com",
                    "full_name": student["full_name"],
                    "role": "student",
                    "community_ids": student["community_ids"],
                    "student_id": student["id"],
                    "note": PASSWORD_NOTE,
                }
            )
    return users


# --------------------------------------------------------------------------------------------
# Checks: a wrong cross-reference or value stops the run before anything is written.
# --------------------------------------------------------------------------------------------
ENUMS = {
    "organisations": {
        "kind": ("sme", "school", "university", "university_of_applied_sciences",
                 "intermediary", "research"),
    },
    "challenges": {
        "level": ("mbo", "hbo", "wo", "any"),
        "kind": ("assignment", "traineeship", "graduation"),
        "remote": ("onsite", "hybrid", "remote"),
        "language": ("nl", "en"),
        "status": ("published", "draft", "closed"),
    },
    "students": {
        "level": ("mbo", "hbo", "wo"),
        "visibility": ("intermediaries", "community_after_approval"),
    },
    "users": {"role": ("student", "sme", "intermediary", "admin")},
}  # fmt: skip


def check(data: dict[str, list[dict]]) -> None:
    """Raise ValueError naming the file, record and field of the first inconsistency."""
    ids: set[str] = set()
    for file, records in data.items():
        for record in records:
            if record["id"] in ids:
                raise ValueError(f"{file}: duplicate id {record['id']}")
            ids.add(record["id"])
    community_ids = {c["id"] for c in data["communities"]}
    organisations = {o["id"]: o for o in data["organisations"]}
    student_ids = {s["id"] for s in data["students"]}
    institution_names = {o["name"] for o in data["organisations"] if o["kind"] != "sme"}

    def fail(file: str, record: dict, message: str) -> NoReturn:
        raise ValueError(f"{file}: {record['id']}: {message}")

    for file, records in data.items():
        for record in records:
            if any(c not in community_ids for c in record.get("community_ids", [])):
                fail(file, record, "unknown community in community_ids")
            if "community_id" in record and record["community_id"] not in community_ids:
                fail(file, record, "unknown community_id")
            for field in ("organisation_id", "intermediary_organisation_id"):
                if field in record and record[field] not in organisations:
                    fail(file, record, f"unknown {field} {record[field]!r}")
            if "student_id" in record and record["student_id"] not in student_ids:
                fail(file, record, "unknown student_id")
            if any(t not in THEMES for t in record.get("themes", [])):
                fail(file, record, f"unknown theme in {record['themes']}")
            for field, allowed in ENUMS.get(file, {}).items():
                if field in record and record[field] not in allowed:
                    fail(file, record, f"{field} {record[field]!r} not in {allowed}")
            for field in ("period_start", "period_end", "available_from", "available_until"):
                if field in record:
                    day = dt.date.fromisoformat(record[field])
                    if not FIRST_DAY <= day <= LAST_DAY:
                        fail(file, record, f"{field} {day} outside 2026-2027")
            for field in ("email", "contact_email"):
                if field in record and not record[field].endswith(("@example.nl", "@example.com")):
                    fail(file, record, f"{field} is not an @example.nl/.com address")
            if "institution" in record and record["institution"] not in institution_names:
                fail(file, record, f"institution {record['institution']!r} is not an organisation")
    for ch in data["challenges"]:
        if ch["period_end"] < ch["period_start"] or not 1 <= ch["students_wanted"] <= 4:
            fail("challenges", ch, "period or students_wanted out of range")
    for user in data["users"]:
        owner = organisations.get(user.get("organisation_id", ""), {"community_ids": ALL})
        if not set(user["community_ids"]) <= set(owner["community_ids"]):
            fail("users", user, "member of a community its organisation is not in")
    for community in data["communities"]:
        kind = organisations[community["intermediary_organisation_id"]]["kind"]
        if kind != "intermediary":
            fail("communities", community, "intermediary organisation is not an intermediary")


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def write_json(name: str, records: list[dict]) -> None:
    """Pretty-printed UTF-8 JSON with a final newline; key order is the order built above."""
    text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    (HERE / f"{name}.json").write_text(text, encoding="utf-8", newline="\n")


def build() -> dict[str, list[dict]]:
    """All records of the demo set, keyed by output file name (without .json)."""
    organisations = INTERMEDIARIES + SMES + institution_records()
    by_id = {o["id"]: o for o in organisations}
    reserved = {g["contact_name"] for g in RESEARCH_GROUPS} | {u[1] for u in STAFF_USERS}
    students = build_students(random.Random(SEED), reserved)
    return {
        "communities": COMMUNITIES,
        "organisations": organisations,
        "challenges": build_challenges(by_id),
        "students": students,
        "research_groups": RESEARCH_GROUPS,
        "users": build_users(students),
    }


def main() -> None:
    data = build()
    check(data)  # everything is checked before the first file is written
    for name, records in data.items():
        write_json(name, records)
        print(f"wrote data/demo/{name}.json: {len(records)} records")


if __name__ == "__main__":
    main()
