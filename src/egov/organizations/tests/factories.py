import factory

from egov.organizations.models import Agency, BridgePoint


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    kind = Agency.Kind.COMMUNE
    name = factory.Sequence(lambda n: f"UBND xã Thử Nghiệm {n}")
    short_name = factory.LazyAttribute(lambda o: o.name.replace("UBND ", ""))
    abbreviation = "UBND"
    code = factory.Sequence(lambda n: f"{n // 100 % 1000:03d}.{n % 100:02d}.99.H42")
    parent = None


class BridgePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BridgePoint

    name = factory.Sequence(lambda n: f"Điểm cầu {n}")
    agency = factory.SubFactory(AgencyFactory)
    location = "Hội trường"
