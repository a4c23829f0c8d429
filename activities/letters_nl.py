"""The Dutch words of the Art. 15 cover letter; letters.py assembles them."""

from __future__ import annotations

# One title per Art. 15(1)-(2) item, plus the guide to the files (Art. 15(3), the copy).
TITLES: dict[str, str] = {
    "purposes": "Waarom wij uw gegevens verwerken",
    "categories": "Welke persoonsgegevens wij hebben",
    "recipients": "Wie uw gegevens ontvangen",
    "transfers": "Doorgifte buiten de Europese Unie",
    "retention": "Hoe lang wij uw gegevens bewaren",
    "rights": "Uw rechten",
    "complaint": "Een klacht indienen bij de toezichthouder",
    "source": "Waar uw gegevens vandaan komen",
    "automated": "Geautomatiseerde besluitvorming",
    "files": "Wat er in dit archief staat",
}

TEXTS: dict[str, str] = {
    "title": "Uw persoonsgegevens",
    "intro_access": (
        "Dit archief is ons antwoord op uw verzoek {ref} van {received}, gedaan op grond "
        "van artikel 15 van de Algemene verordening gegevensbescherming (AVG). Het bevat "
        "een kopie van alle persoonsgegevens die wij over u hebben, in bestanden die u zelf "
        "kunt openen. Hieronder vindt u de informatie waar u volgens de wet recht op hebt. "
        "Wij hebben het afgerond op {completed}."
    ),
    "intro_portability": (
        "Dit archief is ons antwoord op uw verzoek {ref} van {received}, gedaan op grond "
        "van artikel 20 van de Algemene verordening gegevensbescherming (AVG). Het bevat "
        "de persoonsgegevens die u ons hebt verstrekt, in gestructureerde, machineleesbare "
        "bestanden (JSON en CSV) die u kunt hergebruiken of aan een andere aanbieder kunt "
        "geven. Wij hebben het afgerond op {completed}."
    ),
    "purposes_lead": "Wij gebruiken uw persoonsgegevens voor deze doelen:",
    "categories_lead": ("Dit archief bevat de volgende soorten persoonsgegevens, per systeem:"),
    "categories_none": "Wij hebben in onze systemen geen persoonsgegevens over u gevonden.",
    "recipients_lead": (
        "Wij delen uw persoonsgegevens met deze ontvangers, alleen voor zover de doelen "
        "hierboven dat nodig maken:"
    ),
    "recipients_none": "Wij delen uw persoonsgegevens niet met andere organisaties.",
    "outside_eu": "buiten de EU",
    "transfers_some": (
        "Deze ontvangers zijn gevestigd buiten de Europese Unie: {names}. Daarvoor baseren "
        "wij ons op een adequaatheidsbesluit van de Europese Commissie als dat er is; "
        "anders op de modelcontractbepalingen van de Commissie of, als registratie in een "
        "wereldwijd register nodig is voor een dienst die u hebt besteld, op artikel 49 "
        "lid 1 sub b AVG. U kunt ons om een kopie van deze waarborgen vragen."
    ),
    "transfers_none": (
        "Wij geven uw persoonsgegevens niet door aan ontvangers buiten de Europese Unie."
    ),
    "retention_lead": (
        "Sommige gegevens moeten wij een vaste periode bewaren, ook als u ons vraagt ze te "
        "wissen. In die periode gebruiken wij ze nergens anders voor:"
    ),
    "retention_rule": "{category}: {years}. {basis}",
    "retention_limits_lead": (
        "Andere gegevens verwijderen wij na een vaste termijn, wat er verder ook gebeurt:"
    ),
    "retention_limit": "{category}: na {years}. {basis}",
    "years_one": "1 jaar",
    "years_many": "{n} jaar",
    "months_one": "1 maand",
    "months_many": "{n} maanden",
    "days_one": "1 dag",
    "days_many": "{n} dagen",
    "retention_criteria": (
        "Andere gegevens bewaren wij alleen zo lang als de doelen hierboven dat vereisen: "
        "zolang u klant bij ons bent, en daarna niet langer dan ons bewaarbeleid toestaat. "
        "Daarna verwijderen of anonimiseren wij ze."
    ),
    "rights_lead": (
        "U hebt de volgende rechten. Het gebruik ervan is gratis: neem daarvoor contact met "
        "ons op zoals u ook dit verzoek hebt gedaan."
    ),
    "right_rectification": (
        "Rectificatie (art. 16): onjuiste gegevens laten corrigeren of onvolledige gegevens "
        "laten aanvullen."
    ),
    "right_erasure": (
        "Gegevenswissing (art. 17): uw gegevens laten verwijderen, behalve gegevens die wij "
        "wettelijk moeten bewaren (zie hierboven)."
    ),
    "right_restriction": (
        "Beperking van de verwerking (art. 18): ons het gebruik van uw gegevens tijdelijk "
        "laten stoppen, bijvoorbeeld terwijl wij een correctie controleren."
    ),
    "right_objection": (
        "Bezwaar (art. 21): bezwaar maken tegen verwerking op basis van ons gerechtvaardigd "
        "belang; bij direct marketing stoppen wij altijd."
    ),
    "right_portability": (
        "Overdraagbaarheid van gegevens (art. 20): de gegevens die u ons hebt verstrekt "
        "ontvangen in een machineleesbaar formaat, of ze laten doorsturen naar een andere "
        "aanbieder."
    ),
    "right_consent": "Als wij uw toestemming gebruiken, kunt u die altijd intrekken.",
    "complaint": (
        "Bent u niet tevreden over hoe wij met uw persoonsgegevens omgaan, dan hebt u het "
        "recht een klacht in te dienen bij de toezichthouder. Wij stellen het op prijs als u "
        "ons eerst de kans geeft het op te lossen. In Nederland is de toezichthouder de "
        "Autoriteit Persoonsgegevens:"
    ),
    "source_you": (
        "Alle persoonsgegevens in dit archief hebben wij van u zelf gekregen: toen u "
        "diensten bestelde, contact met ons opnam of zich aanmeldde voor onze nieuwsbrief."
    ),
    "source_others": (
        "De meeste gegevens hebben wij van u zelf gekregen. Sommige gegevens komen uit "
        "openbare registers, waarin ook anderen ze kunnen hebben ingevoerd, bijvoorbeeld "
        "een aanbieder die u eerder gebruikte:"
    ),
    "source_item": "{name} ({role}): registratiegegevens uit de database van deze organisatie.",
    "automated": (
        "Wij nemen geen besluiten over u die uitsluitend op geautomatiseerde verwerking, "
        "waaronder profilering, berusten en die rechtsgevolgen of vergelijkbare gevolgen "
        "voor u hebben (art. 22 AVG)."
    ),
    "files_lead": "Het archief bevat deze bestanden:",
    "file_readme": "README.html en README.txt: deze brief, als webpagina en als platte tekst.",
    "file_manifest": (
        "manifest.json: een lijst van alle bestanden met hun grootte, aantal records en "
        "SHA-256-vingerafdruk, zodat u kunt controleren dat er niets ontbreekt of is "
        "gewijzigd."
    ),
    "file_json": (
        "data/<systeem>/<gegevensset>.json: uw gegevens in JSON, een standaardformaat dat "
        "elke teksteditor en webbrowser kan openen en dat een andere aanbieder kan "
        "importeren."
    ),
    "file_csv": (
        "data/<systeem>/<gegevensset>.csv: dezelfde gegevens als tabel. Open het bestand met "
        "een spreadsheetprogramma zoals LibreOffice Calc, Microsoft Excel of Numbers "
        "(UTF-8, kommagescheiden). Geneste waarden staan erin als JSON-tekst."
    ),
    "datasets_lead": "Gegevenssets in dit archief:",
    "datasets_none": (
        "Er zijn geen gegevensbestanden, omdat wij geen persoonsgegevens over u hebben gevonden."
    ),
    "records_one": "1 record",
    "records_many": "{n} records",
    "closing": "Is er iets onduidelijk? Neem gerust contact met ons op; wij helpen u graag.",
}

# Why data is processed, in the order of the letter.
PURPOSES: dict[str, str] = {
    "contract": (
        "Om de diensten te leveren die u hebt besteld (hosting, domeinnamen, "
        "SSL-certificaten, VPS en IP-adressen) en uw klantaccount bij te houden: uitvoering "
        "van de overeenkomst (art. 6 lid 1 sub b AVG)."
    ),
    "finance": (
        "Om u te factureren, uw betalingen te verwerken en aan onze fiscale verplichtingen "
        "te voldoen: wettelijke verplichting (art. 6 lid 1 sub c AVG)."
    ),
    "registration": (
        "Om domeinnamen, SSL-certificaten en IP-adressen voor u te registreren bij "
        "registers, registrars, certificaatautoriteiten en RIPE NCC of ARIN, zoals hun "
        "regels voorschrijven: uitvoering van de overeenkomst."
    ),
    "support": (
        "Om uw vragen en klachten te beantwoorden en uw diensten te ondersteunen en te "
        "onderhouden: uitvoering van de overeenkomst en ons gerechtvaardigd belang bij "
        "goede dienstverlening."
    ),
    "marketing": (
        "Om u onze nieuwsbrief te sturen, alleen met uw toestemming (art. 6 lid 1 sub a "
        "AVG), die u altijd kunt intrekken."
    ),
    "security": (
        "Om ons netwerk en uw diensten te beveiligen en misbruik en incidenten te "
        "onderzoeken: ons gerechtvaardigd belang (art. 6 lid 1 sub f AVG)."
    ),
}

CATEGORIES: dict[str, str] = {
    "identity": "Identiteits- en contactgegevens",
    "contracts": "Bestellingen, contracten en diensten",
    "billing": "Facturen en betalingen",
    "domains": "Registraties van domeinnamen",
    "certificates": "Aanvragen van SSL-certificaten",
    "network": "Registraties van IP-adressen en netwerken",
    "support": "Supportvragen en correspondentie",
    "calls": "Opgenomen telefoongesprekken",
    "newsletter": "Nieuwsbriefaanmeldingen en toestemmingen",
    "logs": "Logbestanden van websiteverkeer",
    "other": "Overige gegevens",
}

# Dutch name and legal basis per retention category; others fall back to the English rule.
_TAX_LAW = "Fiscale bewaarplicht (art. 52 Algemene wet inzake rijksbelastingen)."
RETENTION: dict[str, tuple[str, str]] = {
    "invoices": ("Facturen", _TAX_LAW),
    "payments": ("Betalingen", _TAX_LAW),
    "orders": ("Bestellingen", _TAX_LAW),
    "contracts": (
        "Contracten en abonnementen",
        "Wettelijke bewaarplicht, 7 jaar na het einde ervan (art. 17 lid 3 sub b AVG).",
    ),
    "consent_records": (
        "Toestemmingsregistraties",
        "Bewijs van uw toestemming, 5 jaar na het einde ervan (art. 7 lid 1 AVG).",
    ),
    "call_recordings": (
        "Opgenomen telefoongesprekken",
        "Tenzij een wettelijke verplichting vraagt een gesprek langer te bewaren.",
    ),
    "web_logs": (
        "Logbestanden van het verkeer naar gehoste websites",
        "Om beveiligingsincidenten te kunnen onderzoeken.",
    ),
    "inactive_accounts": (
        "Klantaccounts die 7 jaar niet actief zijn geweest",
        "Daarna gebruiken wij uw gegevens alleen nog geanonimiseerd.",
    ),
}

ROLES: dict[str, str] = {
    "controller": "verwerkingsverantwoordelijke",
    "processor": "verwerker",
    "domain registry": "domeinregister",
    "registry": "register",
    "registrar": "registrar",
    "certificate authority": "certificaatautoriteit",
    "regional internet registry": "regionaal internetregister",
    "payment provider": "betaaldienstverlener",
    "newsletter processor": "verwerker voor de nieuwsbrief",
}

COUNTRIES: dict[str, str] = {
    "NL": "Nederland",
    "BE": "België",
    "DE": "Duitsland",
    "FR": "Frankrijk",
    "IE": "Ierland",
    "LU": "Luxemburg",
    "GB": "het Verenigd Koninkrijk",
    "US": "de Verenigde Staten",
    "CA": "Canada",
    "CH": "Zwitserland",
}

MONTHS: tuple[str, ...] = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
