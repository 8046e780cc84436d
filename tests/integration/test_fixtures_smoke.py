import pika
import sqlalchemy as sa


def test_database_url_is_empty_and_writable(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO probe VALUES (1)")
        assert conn.exec_driver_sql("SELECT count(*) FROM probe").scalar() == 1
    engine.dispose()


def test_rabbitmq_vhost_is_our_own(rabbitmq_url: str) -> None:
    conn = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    assert "complaints-test-" in rabbitmq_url
    conn.close()
