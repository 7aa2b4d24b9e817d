from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assistance.services import assistance_staff_create


class Command(BaseCommand):
    help = "Create a ward officer (--role ward --ward CODE) or a hotline operator (--role hotline [--province CODE])."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=["ward", "hotline"])
        parser.add_argument("--ward", default="", help="5-digit code of a commune or ward of the 2025 map")
        parser.add_argument("--province", default="", help="2025 province code, to limit a hotline operator")

    def handle(self, *args, username, password, role, ward, province, **options):
        try:
            user = assistance_staff_create(username=username, password=password, role=role, ward_code=ward,
                                           province_code=province)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        where = user.ward_assignment.ward if role == "ward" else (province or "all provinces")
        self.stdout.write(self.style.SUCCESS(f"Created {user.username}: {role} staff, {where}."))
