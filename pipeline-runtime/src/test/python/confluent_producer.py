"""Writes test records with Confluent's own serializers (confluent-kafka's AvroSerializer / JSONSerializer /
ProtobufSerializer and SchemaRegistryClient), so the loader's tests read what real Confluent producers write,
not what our own encoder would.

    python confluent_producer.py PLAN.json

PLAN.json:
    {"bootstrap": "host:port", "registry": "http://...", "topic": "...",
     "format": "avro" | "json_sr" | "protobuf",  # the value's serializer
     "key_format": "string" | "avro" | "protobuf",  # the key's serializer (its schema in "key_schema")
     "key_schema": "\"long\"",               # optional
     "schemas": {"v1": "<schema text>", ...},
     "header_schema_id": false,              # true: the schema GUID in the __value_schema_id header
     "records": [{"schema": "v1", "key": 1, "value": {...} | null}, ...]}

Values may carry tagged logical types: {"$decimal": "12.34"}, {"$timestamp_millis": 1700000000123},
{"$timestamp_micros": 1764655463123456}, {"$local_timestamp": "2026-12-02T06:04:23.123456"},
{"$date": "2026-12-02"}, {"$time": "06:04:23.123456"}, {"$uuid": "..."}; they become the Python objects fastavro
expects.
A Protobuf schema is JSON: {"files": [FileDescriptorProto as JSON, ...], "message": "package.Message"}: the
files are added to the default descriptor pool in order (imports first; Google's well-known types are there
already) and the message class is made from the pool, so no protoc is needed. Protobuf values are the
message's JSON mapping (json_format.ParseDict: timestamps as RFC 3339 text, enums by name, bytes as Base64).
The files Confluent's clients have built in (google/type/date.proto, google/type/timeofday.proto,
confluent/type/decimal.proto, confluent/meta.proto) are in the pool too; the serializer never registers them.
Prints the number of records delivered; exits non-zero when any delivery fails.
"""
import base64
import datetime
import decimal
import json
import sys
import uuid

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient, header_schema_id_serializer
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
# Imported for their side effect: the well-known types' files in the default pool, for schemas that import them.
from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2, wrappers_pb2  # noqa: F401
from google.type import date_pb2, timeofday_pb2  # noqa: F401
from confluent_kafka.schema_registry.confluent import meta_pb2  # noqa: F401
from confluent_kafka.schema_registry.confluent.type import decimal_pb2  # noqa: F401
from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer


def tagged(value):
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            if tag == "$decimal":
                return decimal.Decimal(inner)
            if tag == "$timestamp_millis":
                return datetime.datetime.fromtimestamp(inner / 1000, tz=datetime.timezone.utc)
            if tag == "$timestamp_micros":
                return datetime.datetime.fromtimestamp(0, tz=datetime.timezone.utc) + datetime.timedelta(microseconds=inner)
            if tag == "$local_timestamp":
                return datetime.datetime.fromisoformat(inner)
            if tag == "$time":
                return datetime.time.fromisoformat(inner)
            if tag == "$date":
                return datetime.date.fromisoformat(inner)
            if tag == "$uuid":
                return uuid.UUID(inner)
            if tag == "$bytes_b64":
                return base64.b64decode(inner)
        return {k: tagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tagged(v) for v in value]
    return value


def protobuf_class(text):
    spec = json.loads(text)
    pool = descriptor_pool.Default()
    for file_json in spec["files"]:
        proto = json_format.ParseDict(file_json, descriptor_pb2.FileDescriptorProto())
        try:
            existing = pool.FindFileByName(proto.name)
        except KeyError:
            existing = None
        if existing is None:
            pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(spec["message"]))


class ProtobufValues:
    """A ProtobufSerializer fed with JSON-shaped values: each becomes a message of the schema's class first."""

    def __init__(self, registry, text, conf):
        self.message_class = protobuf_class(text)
        self.serializer = ProtobufSerializer(self.message_class, registry, conf=conf)

    def __call__(self, value, ctx):
        if not isinstance(value, dict):
            value = {"value": value}
        return self.serializer(json_format.ParseDict(value, self.message_class()), ctx)


def main():
    with open(sys.argv[1]) as f:
        plan = json.load(f)
    conf = {"url": plan["registry"]}
    if plan.get("username"):
        conf["basic.auth.user.info"] = plan["username"] + ":" + plan["password"]
    registry = SchemaRegistryClient(conf)
    serializer_conf = {"auto.register.schemas": True}
    if plan.get("header_schema_id"):
        serializer_conf["schema.id.serializer"] = header_schema_id_serializer
    serializers = {}
    for name, text in plan["schemas"].items():
        if plan["format"] == "avro":
            serializers[name] = AvroSerializer(registry, text, conf=dict(serializer_conf))
        elif plan["format"] == "protobuf":
            serializers[name] = ProtobufValues(registry, text, dict(serializer_conf))
        else:
            serializers[name] = JSONSerializer(text, registry, conf=dict(serializer_conf))
    if plan.get("key_format") == "avro":
        key_serializer = AvroSerializer(registry, plan["key_schema"], conf={"auto.register.schemas": True})
    elif plan.get("key_format") == "protobuf":
        key_serializer = ProtobufValues(registry, plan["key_schema"], {"auto.register.schemas": True})
    else:
        string_serializer = StringSerializer("utf_8")
        key_serializer = lambda key, ctx: string_serializer(str(key), ctx)

    producer = Producer({"bootstrap.servers": plan["bootstrap"], "enable.idempotence": True, "linger.ms": 5})
    failures = []
    delivered = [0]

    def report(err, msg):
        if err is not None:
            failures.append(str(err))
        else:
            delivered[0] += 1

    topic = plan["topic"]
    for record in plan["records"]:
        headers = []
        # "as_topic": serialize as a producer of another topic would (its subject, its schema id): a
        # misconfigured producer writing an incompatible schema into this topic.
        serialize_topic = record.get("as_topic", topic)
        key = None if record.get("key") is None else key_serializer(
            record["key"], SerializationContext(topic, MessageField.KEY, headers))
        value = None
        if record.get("value") is not None:
            raw = record["value"] if plan["format"] == "protobuf" else tagged(record["value"])
            value = serializers[record["schema"]](raw, SerializationContext(serialize_topic, MessageField.VALUE, headers))
        producer.produce(topic, key=key, value=value, headers=headers or None, on_delivery=report)
        producer.poll(0)
    producer.flush(60)
    if failures:
        print("delivery failed: " + "; ".join(failures[:5]), file=sys.stderr)
        sys.exit(1)
    print(delivered[0])


if __name__ == "__main__":
    main()
