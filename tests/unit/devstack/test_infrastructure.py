from mailferry_devstack.infrastructure import redact_url


class TestRedactUrl:
    def test_a_password_is_hidden(self):
        assert redact_url("nats://app:s3cret@nats:4222") == "nats://app:***@nats:4222"

    def test_a_url_without_a_password_is_unchanged(self):
        url = "postgresql://postgres@127.0.0.1:5432/mailferry"

        assert redact_url(url) == url
