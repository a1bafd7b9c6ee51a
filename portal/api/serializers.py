from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.models import Comune, ComunePopulation, Membership, Organisation, User
from portal.permissions import CAPABILITIES, can


class ComunePopulationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComunePopulation
        fields = ["reference_date", "population"]


class ComuneSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.sigla", read_only=True)
    populations = ComunePopulationSerializer(many=True, read_only=True)

    class Meta:
        model = Comune
        fields = ["istat_code", "name", "cadastral_code", "province", "is_provincial_capital", "populations"]


class OrganisationSerializer(serializers.ModelSerializer):
    comune = serializers.SlugRelatedField(slug_field="istat_code", read_only=True, allow_null=True)
    province = serializers.SlugRelatedField(slug_field="sigla", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name",
            "tax_code",
            "vat_number",
            "comune",
            "province",
            "licence_number",
            "email",
            "pec",
            "country",
            "pic",
            "is_active",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role", "is_active"]


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "memberships", "capabilities"]

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user):
        active = [m for m in user.memberships.all() if m.is_active]
        return MembershipSerializer(active, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_capabilities(self, user) -> list[str]:
        return sorted(name for name in CAPABILITIES if can(user, name))
