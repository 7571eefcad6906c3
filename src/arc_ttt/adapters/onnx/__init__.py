"""ONNX adapters: export of the built-in decoder with a KV cache, validation against torch,
ONNX Runtime optimization and quantization, sessions and the ONNX Runtime symbol model."""
