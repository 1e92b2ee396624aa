// An exported ONNX file decoded with onnx-proto into plain objects, every field present (repeated
// fields as arrays, int64 as numbers), typed for the tests.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface DecodedValue { name: string; type: { tensorType: { elemType: number; shape: { dim: { dimValue: number }[] } } } }
export interface DecodedNode { opType: string; name: string; input: string[]; output: string[] }
export interface DecodedTensor { name: string; dims: number[]; dataType: number; rawData: Uint8Array }
export interface DecodedGraph { name: string; node: DecodedNode[]; initializer: DecodedTensor[]; input: DecodedValue[]; output: DecodedValue[] }
export interface DecodedModel {
  irVersion: number;
  producerName: string;
  opsetImport: { domain: string; version: number }[];
  metadataProps: { key: string; value: string }[];
  graph: DecodedGraph;
}

export function decodeOnnx(bytes: Uint8Array): DecodedModel {
  return onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, arrays: true, defaults: true }) as DecodedModel;
}

export const dimsOf = (v: DecodedValue): number[] => v.type.tensorType.shape.dim.map((d) => Number(d.dimValue));

/** An initializer's raw bytes as float32 values. */
export const floatsOf = (t: DecodedTensor): Float32Array => new Float32Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength));

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
