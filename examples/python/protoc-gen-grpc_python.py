"""protoc plugin that runs grpcio-tools' built-in grpc_python generator (used by buf.gen.yaml).

grpcio-tools ships the generator of ``*_pb2_grpc.py`` only inside its own protoc (``python -m
grpc_tools.protoc --grpc_python_out``), not as a ``protoc-gen-grpc_python`` program, and buf's
``protoc_builtin`` accepts only protoc's own languages. This wrapper speaks the plugin protocol: it
reads the CodeGeneratorRequest that buf sends, hands its descriptors to grpc_tools.protoc, and
answers with the files that protoc wrote. Run it with the interpreter that has grpcio-tools:
``local: [.tools/venv/bin/python, examples/python/protoc-gen-grpc_python.py]``.
"""

import pathlib
import sys
import tempfile

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from grpc_tools import protoc


def main() -> int:
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    )
    with tempfile.TemporaryDirectory(prefix="grpc_python-") as tmp:
        root = pathlib.Path(tmp)
        descriptors = root / "descriptors.binpb"
        descriptors.write_bytes(
            descriptor_pb2.FileDescriptorSet(file=request.proto_file).SerializeToString()
        )
        out = root / "out"
        out.mkdir()
        params = f"{request.parameter}:" if request.parameter else ""
        code = protoc.main(
            [
                "grpc_tools.protoc",
                f"--descriptor_set_in={descriptors}",
                f"--grpc_python_out={params}{out}",
                *request.file_to_generate,
            ]
        )
        if code != 0:
            response.error = f"grpc_tools.protoc --grpc_python_out failed with exit code {code}"
        else:
            for path in sorted(p for p in out.rglob("*") if p.is_file()):
                response.file.add(
                    name=path.relative_to(out).as_posix(), content=path.read_text("utf-8")
                )
    sys.stdout.buffer.write(response.SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())
