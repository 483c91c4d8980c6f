import base64
import datetime as dt
import os

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import connection, models
from django.test.utils import isolate_apps

from jianfu.core import clock, crypto
from jianfu.core.crypto import (
    PURPOSE_ID_NUMBER,
    PURPOSE_PHONE,
    DecryptionError,
    EncryptedCharField,
    birth_date_from_id,
    blind_index,
    blind_index_candidates,
    decrypt,
    encrypt,
    gender_from_id,
    is_valid_id_number,
    is_valid_phone,
    mask_id_number,
    mask_name,
    mask_phone,
    needs_reencryption,
    normalize_id_number,
    normalize_phone,
)

# Check characters computed with GB 11643 by hand; the first is the standard's own example.
VALID_IDS = ["11010519491231002X", "110101199003071233", "440304198512010035", "110101200002290018"]
OLD_KEY = base64.b64encode(b"o" * 32).decode()
NEW_KEY = base64.b64encode(b"n" * 32).decode()


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def field() -> EncryptedCharField:
    f = EncryptedCharField(max_length=18)
    f.set_attributes_from_name("id_number")
    return f


class TestEncryptedField:
    def test_a_stored_id_number_does_not_contain_the_plaintext(self):
        stored = field().get_prep_value("11010519491231002X")
        assert stored.startswith("pii1:")
        assert "11010519491231002X" not in stored
        assert "19491231" not in stored

    def test_a_stored_value_reads_back_as_the_plaintext(self):
        f = field()
        assert f.from_db_value(f.get_prep_value("13812345678"), None, connection) == "13812345678"

    def test_non_ascii_text_round_trips(self):
        f = field()
        assert f.from_db_value(f.get_prep_value("张三丰 ＡＢ"), None, connection) == "张三丰 ＡＢ"

    def test_equal_plaintexts_are_stored_differently(self):
        f = field()
        assert f.get_prep_value("13812345678") != f.get_prep_value("13812345678")

    @pytest.mark.parametrize("value", [None, ""])
    def test_empty_values_pass_through_unencrypted(self, value):
        f = field()
        assert f.get_prep_value(value) == value
        assert f.from_db_value(value, None, connection) == value

    def test_a_tampered_value_fails_with_a_clear_error(self):
        f = field()
        token = f.get_prep_value("13812345678")
        raw = bytearray(base64.urlsafe_b64decode(token[5:]))
        raw[-1] ^= 1
        tampered = "pii1:" + base64.urlsafe_b64encode(bytes(raw)).decode()
        with pytest.raises(DecryptionError, match="id_number: cannot decrypt.*altered or is corrupt"):
            f.from_db_value(tampered, None, connection)

    def test_plaintext_left_in_the_column_fails_with_a_clear_error(self):
        with pytest.raises(DecryptionError, match="not an encrypted value"):
            field().from_db_value("13812345678", None, connection)

    def test_garbage_after_the_prefix_fails_with_a_clear_error(self):
        with pytest.raises(DecryptionError, match="not valid base64|too short"):
            decrypt("pii1:@@@")
        with pytest.raises(DecryptionError, match="too short"):
            decrypt("pii1:AAAA")

    def test_deconstructs_for_migrations(self):
        name, path, args, kwargs = field().deconstruct()
        assert (name, path, args) == ("id_number", "jianfu.core.crypto.EncryptedCharField", [])
        assert kwargs == {"max_length": 18}
        assert EncryptedCharField(*args, **kwargs).max_length == 18

    def test_max_length_limits_the_plaintext(self):
        f = field()
        f.clean("11010519491231002X", None)
        with pytest.raises(ValidationError):
            f.clean("11010519491231002X9", None)

    def test_the_form_field_is_a_one_line_input(self):
        form_field = field().formfield()
        assert form_field.max_length == 18
        assert form_field.widget.input_type == "text"

    def test_serialised_values_stay_encrypted_and_load_back(self):
        # dumpdata writes value_to_string, loaddata reads it through to_python.
        class Row:
            id_number = "11010519491231002X"

        f = field()
        dumped = f.value_to_string(Row())
        assert "11010519491231002X" not in dumped
        assert f.to_python(dumped) == "11010519491231002X"
        assert f.to_python("11010519491231002X") == "11010519491231002X"

    def test_an_encrypted_field_that_is_unique_fails_the_system_check(self):
        with isolate_apps("jianfu.core"):

            class Bad(models.Model):  # noqa: DJ008
                phone = EncryptedCharField(unique=True)

                class Meta:
                    app_label = "core"

        assert [e.id for e in Bad._meta.get_field("phone").check()] == ["jianfu.E001"]


@pytest.mark.django_db(transaction=True)
@isolate_apps("jianfu.core")
def test_bulk_created_rows_are_encrypted_in_the_table_and_found_by_blind_index():
    class Resident(models.Model):  # noqa: DJ008
        id_number = EncryptedCharField(max_length=18, blank=True, null=True)
        id_number_bidx = models.CharField(max_length=64, blank=True, db_index=True)

        class Meta:
            app_label = "core"

    with connection.schema_editor() as editor:
        editor.create_model(Resident)
    try:
        Resident.objects.bulk_create(
            [
                Resident(id_number=n, id_number_bidx=blind_index(n, purpose=PURPOSE_ID_NUMBER))
                for n in ["11010519491231002X", "110101199003071233", ""]
            ]
            + [Resident(id_number=None)]
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id_number FROM {Resident._meta.db_table} ORDER BY id")
            stored = [row[0] for row in cursor.fetchall()]
        assert [s.startswith("pii1:") for s in stored[:2]] == [True, True]
        assert stored[2:] == ["", None]
        assert not any("11010519491231002X" in s or "110101199003071233" in s for s in stored[:2])

        assert sorted(Resident.objects.exclude(id_number=None).values_list("id_number", flat=True)) == [
            "",
            "110101199003071233",
            "11010519491231002X",
        ]
        found = Resident.objects.get(id_number_bidx=blind_index(" 11010519491231002x", purpose=PURPOSE_ID_NUMBER))
        assert found.id_number == "11010519491231002X"
        assert Resident.objects.filter(id_number__isnull=True).count() == 1
        assert Resident.objects.filter(id_number=None).count() == 1
        assert Resident.objects.filter(id_number="").count() == 1

        with pytest.raises(FieldError, match="blind_index"):
            Resident.objects.filter(id_number="11010519491231002X").count()
        with pytest.raises(FieldError, match="blind_index"):
            Resident.objects.filter(id_number__in=["11010519491231002X"]).count()
        with pytest.raises(FieldError, match="blind_index"):
            Resident.objects.filter(id_number__icontains="1101").count()
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Resident)


class TestKeys:
    def test_key_rotation_keeps_old_values_readable(self, settings):
        settings.PII_KEYS = [OLD_KEY]
        token = encrypt("13812345678")
        settings.PII_KEYS = [NEW_KEY, OLD_KEY]
        assert decrypt(token) == "13812345678"
        assert needs_reencryption(token)
        fresh = encrypt("13812345678")
        assert not needs_reencryption(fresh)
        settings.PII_KEYS = [NEW_KEY]
        assert decrypt(fresh) == "13812345678"

    def test_a_value_whose_key_was_dropped_names_the_missing_key(self, settings):
        settings.PII_KEYS = [OLD_KEY]
        token = encrypt("13812345678")
        settings.PII_KEYS = [NEW_KEY]
        with pytest.raises(DecryptionError, match="key id [0-9a-f]{8}, which is not in PII_KEYS"):
            decrypt(token)

    def test_keys_may_be_separated_by_commas_or_lines(self, settings):
        settings.PII_KEYS = [OLD_KEY]
        token = encrypt("x")
        settings.PII_KEYS = [f"{NEW_KEY}\n{OLD_KEY}\n"]
        assert decrypt(token) == "x"

    def test_urlsafe_base64_keys_are_accepted(self, settings):
        settings.PII_KEYS = [base64.urlsafe_b64encode(b"\xff" * 32).decode()]
        assert decrypt(encrypt("x")) == "x"

    @pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode()])
    def test_a_malformed_key_is_a_configuration_error(self, settings, bad):
        settings.PII_KEYS = [bad]
        with pytest.raises(ImproperlyConfigured, match="PII_KEYS entry 1"):
            encrypt("x")

    def test_without_keys_tests_and_debug_use_a_development_key_from_secret_key(self, settings):
        settings.PII_KEYS = []
        assert decrypt(encrypt("x")) == "x"
        index = blind_index("13812345678", purpose=PURPOSE_PHONE)
        settings.SECRET_KEY = "another-secret"
        assert blind_index("13812345678", purpose=PURPOSE_PHONE) != index

    def test_without_keys_production_refuses_at_first_use(self, settings, monkeypatch):
        monkeypatch.setattr(crypto, "_running_tests", lambda: False)
        settings.PII_KEYS = []
        settings.DEBUG = True
        encrypt("x")
        settings.DEBUG = False
        for use in (lambda: encrypt("x"), lambda: blind_index("x", purpose="p")):
            with pytest.raises(ImproperlyConfigured, match="JIANFU_PII_KEYS"):
                use()


class TestBlindIndex:
    def test_equal_numbers_in_different_spellings_share_an_index(self):
        assert blind_index("11010519491231002X", purpose=PURPOSE_ID_NUMBER) == blind_index(
            " １１０１０５１９４９１２３１００２ｘ ", purpose=PURPOSE_ID_NUMBER
        )
        assert blind_index("+86 138 1234 5678", purpose=PURPOSE_PHONE) == blind_index(
            "13812345678", purpose=PURPOSE_PHONE
        )

    def test_different_numbers_have_different_indexes(self):
        assert blind_index("13812345678", purpose=PURPOSE_PHONE) != blind_index("13812345679", purpose=PURPOSE_PHONE)

    def test_the_index_is_hex_sha256_and_not_a_plain_hash(self):
        import hashlib

        index = blind_index("13812345678", purpose=PURPOSE_PHONE)
        assert len(index) == 64 and int(index, 16) >= 0
        assert index != hashlib.sha256(b"13812345678").hexdigest()

    def test_each_purpose_has_its_own_key(self):
        assert blind_index("13812345678", purpose=PURPOSE_PHONE) != blind_index("13812345678", purpose="other")

    def test_blank_values_have_no_index(self):
        assert blind_index("  ", purpose=PURPOSE_PHONE) == ""
        assert blind_index(None, purpose=PURPOSE_ID_NUMBER) == ""
        assert blind_index_candidates("", purpose=PURPOSE_ID_NUMBER) == []

    def test_rotation_changes_the_index_and_candidates_cover_the_old_one(self, settings):
        settings.PII_KEYS = [OLD_KEY]
        old = blind_index("13812345678", purpose=PURPOSE_PHONE)
        settings.PII_KEYS = [NEW_KEY, OLD_KEY]
        new = blind_index("13812345678", purpose=PURPOSE_PHONE)
        assert new != old
        assert blind_index_candidates("13812345678", purpose=PURPOSE_PHONE) == [new, old]


class TestIdNumbers:
    @pytest.mark.parametrize("number", VALID_IDS)
    def test_known_valid_numbers_pass(self, number):
        assert is_valid_id_number(number)

    def test_a_lower_case_or_full_width_number_is_valid_after_normalising(self):
        assert normalize_id_number(" １１０１０５１９４９１２３１００２ｘ ") == "11010519491231002X"
        assert is_valid_id_number("11010519491231002x")

    @pytest.mark.parametrize(
        "number",
        [
            "110105194912310021",  # checksum should be X
            "110101199003071234",  # checksum should be 3
            "110101199002300010",  # 30 February
            "110101190002290014",  # 1900 was not a leap year
            "11010519491231002",  # 17 characters
            "110105491231002",  # old 15-digit form
            "11010519491231002Y",
            "",
            None,
        ],
    )
    def test_invalid_numbers_fail(self, number):
        assert not is_valid_id_number(number)

    def test_a_birth_date_in_the_future_fails(self):
        future = clock.today() + dt.timedelta(days=400)
        first17 = f"110101{future:%Y%m%d}001"
        assert not is_valid_id_number(first17 + crypto.id_check_char(first17))

    def test_birth_date_and_gender_come_from_the_number(self):
        assert birth_date_from_id("11010519491231002X") == dt.date(1949, 12, 31)
        assert gender_from_id("11010519491231002X") == "F"  # 17th digit 2
        assert birth_date_from_id("440304198512010035") == dt.date(1985, 12, 1)
        assert gender_from_id("440304198512010035") == "M"  # 17th digit 3

    def test_an_invalid_number_has_no_birth_date_or_gender(self):
        assert birth_date_from_id("110101199003071234") is None
        assert gender_from_id("110101199003071234") is None


class TestPhones:
    @pytest.mark.parametrize(
        ("raw", "normalised"),
        [
            ("+86 138 1234 5678", "13812345678"),
            ("0086-138-1234-5678", "13812345678"),
            ("8613812345678", "13812345678"),
            ("１３８ １２３４ ５６７８", "13812345678"),
            ("010-6512 3456", "01065123456"),
            ("+86 10 6512 3456", "01065123456"),
            ("(0571) 8765 4321", "057187654321"),
            ("", ""),
        ],
    )
    def test_normalisation(self, raw, normalised):
        assert normalize_phone(raw) == normalised

    @pytest.mark.parametrize(
        "phone", ["13812345678", "+86 199 0000 1111", "010-65123456", "0571-87654321", "0898-6123456"]
    )
    def test_valid_numbers(self, phone):
        assert is_valid_phone(phone)

    @pytest.mark.parametrize(
        "phone", ["12812345678", "1381234567", "138123456789", "010-1234567", "0571-0765432", "65123456", "", None]
    )
    def test_invalid_numbers(self, phone):
        assert not is_valid_phone(phone)


class TestMasks:
    def test_an_id_number_shows_its_first_three_and_last_four(self):
        assert mask_id_number("110101199003071234") == "110***********1234"
        assert mask_id_number("11010519491231002x") == "110***********002X"

    def test_a_mobile_number_shows_its_first_three_and_last_four(self):
        assert mask_phone("13812345678") == "138****5678"
        assert mask_phone("+86 138 1234 5678") == "138****5678"

    def test_a_name_shows_only_its_first_character(self):
        assert mask_name("张三丰") == "张**"
        assert mask_name("李四") == "李*"
        assert mask_name("欧阳娜娜") == "欧***"

    def test_short_or_empty_values_are_fully_masked(self):
        assert mask_name("王") == "*"
        assert mask_phone("12345") == "*****"
        assert mask_id_number("") == ""
        assert mask_name(None) == ""
