"""The Dutch words of the emails to the subject; notices.py assembles them."""

from __future__ import annotations

# A paragraph that is exactly "{link}", "{authority}" or "{code}" stands on its own line.

COMMON: dict[str, str] = {
    "controller": "het hostingbedrijf",
    "contact": "ons privacyteam via de contactgegevens op onze website",
    "greeting": "Geachte heer, mevrouw,",
    "greeting_named": "Geachte {recipient},",
    "closing": "Hebt u vragen? Neem dan contact op met {contact}.",
    "signature": "Met vriendelijke groet,\nHet privacyteam van {controller}",
    "minutes_one": "1 minuut",
    "minutes_many": "{n} minuten",
}

SUBJECTS: dict[str, str] = {
    "archive_ready": "Uw persoonsgegevens staan klaar om te downloaden (verzoek {ref})",
    "erasure_done": "Uw verwijderingsverzoek {ref} is afgerond",
    "extension": "Wij hebben meer tijd nodig voor uw verzoek {ref}",
    "refusal": "Wij geven geen gevolg aan uw verzoek {ref}",
    "rejected_unverified": "Uw verzoek {ref} is gesloten: identiteit niet bevestigd",
    "verification_code": "Uw verificatiecode",
    "rectification_done": "Uw persoonsgegevens zijn gecorrigeerd (verzoek {ref})",
    "restriction_done": "Wij hebben het gebruik van uw persoonsgegevens beperkt (verzoek {ref})",
    "objection_done": "Wij gebruiken uw gegevens niet meer waartegen u bezwaar maakte "
    "(verzoek {ref})",
    "objection_other_done": "Wij hebben uw bezwaar toegewezen (verzoek {ref})",
    "portability_ready": "Uw gegevens om mee te nemen staan klaar (verzoek {ref})",
}

_COMPLAINT = (
    "Bent u het hier niet mee eens, dan hebt u het recht een klacht in te dienen bij de "
    "toezichthouder, de Autoriteit Persoonsgegevens, en kunt u zich tot de rechter wenden "
    "(artikelen 77 en 79 AVG):"
)

BODIES: dict[str, tuple[str, ...]] = {
    "archive_ready": (
        "U hebt {controller} om uw persoonsgegevens gevraagd (verzoek {ref}). Ze staan klaar "
        "en u kunt ze hier downloaden:",
        "{link}",
        "De link werkt tot {expires}; vraag ons daarna om een nieuwe. Iedereen die de link "
        "heeft, kan uw gegevens downloaden. Stuur deze e-mail daarom niet door.",
        "U downloadt een ZIP-bestand. Daarin staan een brief (README.html en README.txt) "
        "waarin wij uitleggen waarom wij uw gegevens verwerken, wie ze ontvangen, hoe lang "
        "wij ze bewaren en welke rechten u hebt; een lijst van alle bestanden "
        "(manifest.json); en uw gegevens zelf in de map data, als JSON- en CSV-bestanden die "
        "u kunt openen met een teksteditor of een spreadsheetprogramma.",
    ),
    "erasure_done": (
        "Wij hebben uw verzoek {ref} om uw persoonsgegevens te verwijderen afgerond. In het "
        "bewijs van verwijdering staat per systeem wat wij hebben verwijderd en wanneer:",
        "{link}",
        "Sommige gegevens moeten wij wettelijk bewaren, zoals facturen, die wij volgens de "
        "belastingwetgeving zeven jaar moeten bewaren. In het bewijs staat wat wij hebben "
        "bewaard, waarom en tot wanneer. Tot die datum schermen wij deze gegevens af en "
        "gebruiken wij ze nergens anders voor; daarna verwijderen wij ze.",
        "De link werkt een beperkte tijd. Download het bewijs daarom en bewaar het goed.",
    ),
    "rectification_done": (
        "Wij hebben uw persoonsgegevens gecorrigeerd zoals u vroeg (verzoek {ref}), in onze "
        "eigen systemen en bij iedere organisatie aan wie wij ze hadden doorgegeven, zoals "
        "domeinregistraties en registers van IP-adressen. Ieder van hen is van de correctie op "
        "de hoogte gebracht (artikel 19 AVG). Het bewijs toont per systeem wat is "
        "gecorrigeerd en wanneer:",
        "{link}",
        "Waar iets niet kon worden gecorrigeerd, staat in het bewijs waarom: een factuur die "
        "wij hebben uitgereikt, moet bijvoorbeeld de gegevens houden waarmee zij is uitgereikt.",
        "De link werkt een beperkte tijd; download het bewijs en bewaar het.",
    ),
    "restriction_done": (
        "Wij hebben de verwerking van uw persoonsgegevens beperkt (verzoek {ref}): wij "
        "bewaren ze, maar gebruiken ze nergens anders voor zonder uw toestemming, behalve om "
        "een rechtsvordering in te stellen of te verdedigen of waar de wet het eist (artikel "
        "18 AVG). Voordat wij de beperking opheffen, laten wij het u weten. Iedereen aan wie "
        "wij uw gegevens hebben doorgegeven, is ingelicht (artikel 19 AVG). Het bewijs toont "
        "per systeem wat er is gedaan:",
        "{link}",
        "Sommige systemen, zoals openbare registers van andere organisaties, kunnen gegevens "
        "niet beperken; het bewijs vermeldt dat per systeem, met de reden.",
    ),
    "objection_done": (
        "U maakte bezwaar tegen het gebruik van uw persoonsgegevens (verzoek {ref}). Wij zijn "
        "ermee gestopt: u ontvangt geen nieuwsbrieven of andere direct marketing meer van ons, "
        "en wij gebruiken uw gegevens daarvoor niet meer om een profiel op te stellen "
        "(artikel 21 AVG). Het bewijs toont per systeem wat er is gedaan:",
        "{link}",
        "Wij houden een notitie van uw bezwaar bij, zodat wij u niet per vergissing opnieuw "
        "benaderen.",
    ),
    "objection_other_done": (
        "U maakte bezwaar tegen het gebruik van uw persoonsgegevens (verzoek {ref}). Onze "
        "privacyfunctionaris heeft uw bezwaar gewogen en toegewezen: wij zijn met die "
        "verwerking gestopt in elk systeem, behalve waar de wet haar eist of om een "
        "rechtsvordering in te stellen of te verdedigen (artikel 21, lid 1, AVG). Het bewijs "
        "toont per systeem wat er is gedaan:",
        "{link}",
    ),
    "portability_ready": (
        "U vroeg {controller} om de persoonsgegevens die u ons gaf, in een vorm die u naar "
        "een andere aanbieder kunt meenemen (verzoek {ref}, artikel 20 AVG). Ze staan hier "
        "klaar:",
        "{link}",
        "De link werkt tot {expires}. Het ZIP-bestand bevat uw gegevens als JSON- en "
        "CSV-bestanden, die de systemen van andere aanbieders kunnen lezen, en een brief die "
        "de inhoud uitlegt.",
        "Als u ons vroeg ze rechtstreeks naar een andere aanbieder te sturen, hebben wij dat "
        "gedaan en het ontvangstbewijs bewaard dat zij ons gaven; vraag ons erom als u het "
        "nodig hebt.",
    ),
    "extension": (
        "Wij hebben uw verzoek {ref} ontvangen op {received}. Volgens de wet hebben wij één "
        "maand om het te beantwoorden. Artikel 12 lid 3 van de Algemene verordening "
        "gegevensbescherming (AVG) staat ons toe die termijn zo nodig met ten hoogste twee "
        "maanden te verlengen als een verzoek ingewikkeld is of als wij veel verzoeken "
        "ontvangen.",
        "Voor uw verzoek hebben wij die extra tijd nodig. De reden: {reason}",
        "U ontvangt ons antwoord uiterlijk op {new_due}.",
        _COMPLAINT,
        "{authority}",
    ),
    "refusal": (
        "Wij hebben uw verzoek {ref} ontvangen en zorgvuldig bekeken. Wij geven er geen "
        "gevolg aan.",
        "De reden: {reason}",
        "U hebt het recht over deze beslissing een klacht in te dienen bij de toezichthouder, "
        "de Autoriteit Persoonsgegevens (artikel 77 AVG):",
        "{authority}",
        "Ook kunt u zich tot de rechter wenden (artikel 79 AVG): u kunt de rechtbank vragen "
        "ons te bevelen uw verzoek alsnog toe te wijzen. Dien dat verzoekschrift in binnen "
        "zes weken nadat u dit bericht hebt ontvangen (artikel 35 van de Uitvoeringswet AVG).",
    ),
    "rejected_unverified": (
        "Op {asked} hebben wij u gevraagd uw identiteit te bevestigen voor uw verzoek {ref}. "
        "Die bevestiging hebben wij nodig om zeker te weten dat wij persoonsgegevens alleen "
        "geven aan degene over wie ze gaan. Wij hebben die niet op tijd ontvangen en hebben "
        "uw verzoek daarom gesloten.",
        "Dit doet niets af aan uw rechten. U kunt op elk moment een nieuw verzoek indienen, "
        "op dezelfde manier als eerder. Wij vragen u dan opnieuw uw identiteit te bevestigen "
        "en vragen daarvoor niet meer gegevens dan nodig is.",
        _COMPLAINT,
        "{authority}",
    ),
    "verification_code": (
        "Iemand, waarschijnlijk u, heeft {controller} gevraagd een verzoek over "
        "persoonsgegevens uit te voeren. Geef deze eenmalige code aan de medewerker van ons "
        "privacyteam die uw verzoek behandelt (telefonisch, of in uw antwoord aan hem of "
        "haar) om te bevestigen dat het verzoek van u komt:",
        "{code}",
        "De code is {minutes} geldig. Geef hem aan niemand anders: hij bevestigt alleen dit "
        "verzoek, en wij vragen u nooit om een wachtwoord.",
        "Hebt u geen verzoek gedaan? Dan kunt u deze e-mail negeren; zonder de code gebeurt "
        "er niets.",
    ),
}
