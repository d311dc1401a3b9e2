import unittest

from flowctl_worker.masking import SecretMasker


class SecretMaskerTest(unittest.TestCase):
    def test_masks_every_occurrence_of_every_secret_value(self) -> None:
        masker = SecretMasker({"API_KEY": "s3cr3t", "DB": "hunter2"})
        self.assertEqual(masker.text("key=s3cr3t pw=hunter2 again s3cr3t"), "key=*** pw=*** again ***")

    def test_masks_a_secret_that_contains_another_as_a_whole(self) -> None:
        masker = SecretMasker({"SHORT": "abc", "LONG": "abcdef"})
        self.assertEqual(masker.text("abcdef and abc"), "*** and ***")

    def test_treats_secret_values_as_text_not_patterns(self) -> None:
        masker = SecretMasker({"WEIRD": "a.b*c"})
        self.assertEqual(masker.text("a.b*c axbbc"), "*** axbbc")

    def test_masks_strings_nested_in_json_values_including_keys(self) -> None:
        masker = SecretMasker({"TOKEN": "tok-1"})
        value = {"headers": {"auth": "Bearer tok-1"}, "list": ["tok-1", 3, None, True], "tok-1": 1}
        self.assertEqual(
            masker.value(value),
            {"headers": {"auth": "Bearer ***"}, "list": ["***", 3, None, True], "***": 1},
        )

    def test_leaves_everything_alone_without_secrets_or_with_empty_values(self) -> None:
        masker = SecretMasker({"EMPTY": "", "NONE": None})  # type: ignore[dict-item]
        self.assertTrue(masker.is_empty)
        value = {"a": "b"}
        self.assertIs(masker.value(value), value)
        self.assertEqual(masker.text("anything"), "anything")


if __name__ == "__main__":
    unittest.main()
