from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from allocations.services import staff_create


class Command(BaseCommand):
    help = "Create a committee staff user: central, provincial (with --province CODE of the 2025 map) or auditor."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=["central", "provincial", "auditor"])
        parser.add_argument("--province", default="", help="2025 province code, for provincial staff")

    def handle(self, *args, username, password, role, province, **options):
        try:
            user = staff_create(username=username, password=password, role=role, province_code=province)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        membership = user.membership
        self.stdout.write(self.style.SUCCESS(f"Created {user.username}: {membership.get_role_display()}, {membership.committee}."))
