"""Values that cross between the checker and a student's process: plain data only.

What crosses: None, bools, ints, floats, strings; NumPy arrays (of exactly the
class ndarray) and NumPy scalars of a numeric or boolean dtype; lists, tuples
and dicts of these. A message is a JSON header plus the arrays' raw bytes:
nothing is unpickled, so the other side can send wrong values, never code or
objects that behave. Anything else is refused with a message that says what it
was and where it sat.

The checker may also send callables: they cross as a number, and the
receiving side is given a stand-in that asks the sender to make the call.

This module imports nothing from the course: the student's process runs a copy
of it (see student_side.py).
"""
import json
import struct

import numpy as np

DTYPES = frozenset(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                    "float16", "float32", "float64", "complex64", "complex128"])
SCALAR_TYPES = {np.dtype(name).type: name for name in DTYPES}
MAX_HEADER = 16 * 2**20    # bytes of JSON in one message
MAX_DATA = 512 * 2**20     # bytes of array data in one message
MAX_DEPTH = 32
FRAME = struct.Struct("!QQ")  # header length, data length


class NotPlainData(TypeError):
    """A value that cannot cross; the message says what it was and where."""


class BrokenChannel(EOFError):
    """The other side closed the channel, or sent something that is not a message."""


def describe(value, where):
    kind = type(value).__name__
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray:
            return f"{where} is a {kind} (a subclass of numpy's array): return a plain numpy array, np.asarray(...)"
        return f"{where} is an array of dtype {value.dtype}: the autograder takes arrays of numbers or booleans"
    return (f"{where} is a {kind}: the autograder takes numpy arrays, numbers, strings, None, "
            "and lists, tuples and dicts of those")


def to_plain(value, buffers, where="the value", callables=None, depth=0):
    """The JSON-able form of `value`, its arrays' bytes appended to `buffers`."""
    kind = type(value)
    if depth > MAX_DEPTH:
        raise NotPlainData(f"{where} is nested more than {MAX_DEPTH} levels deep")
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return {"float": repr(value)}  # JSON has no nan or inf
    if kind is np.ndarray or kind in SCALAR_TYPES:
        array = np.asarray(value)
        if array.dtype.name not in DTYPES:
            raise NotPlainData(describe(value, where))
        buffers.append(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("=")).tobytes())
        tag = "array" if kind is np.ndarray else "scalar"
        return {tag: len(buffers) - 1, "dtype": array.dtype.name, "shape": list(array.shape)}
    if kind in (list, tuple):
        return {kind.__name__: [to_plain(item, buffers, f"{where}[{i}]", callables, depth + 1)
                                for i, item in enumerate(value)]}
    if kind is dict:
        return {"dict": [[to_plain(key, buffers, f"a key of {where}", None, depth + 1),
                          to_plain(item, buffers, f"{where}[{key!r}]", callables, depth + 1)]
                         for key, item in value.items()]}
    if callables is not None and callable(value):
        callables.append(value)
        return {"callable": len(callables) - 1}
    raise NotPlainData(describe(value, where))


def from_plain(data, buffers, make_callable=None, depth=0):
    """The value that `to_plain` made `data` from; anything malformed raises BrokenChannel."""
    if depth > MAX_DEPTH + 1:
        raise BrokenChannel("a message nested too deep")
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is not dict or len(data) not in (1, 3):
        raise BrokenChannel("a malformed value")
    if "float" in data:
        return float(data["float"])
    if "array" in data or "scalar" in data:
        array = array_from(data, buffers)
        return array if "array" in data else array[()]
    if "list" in data or "tuple" in data:
        items = [from_plain(item, buffers, make_callable, depth + 1) for item in data.get("list", data.get("tuple"))]
        return items if "list" in data else tuple(items)
    if "dict" in data:
        pairs = [(from_plain(key, buffers, None, depth + 1), from_plain(item, buffers, make_callable, depth + 1))
                 for key, item in data["dict"]]
        try:
            return dict(pairs)
        except TypeError:
            raise BrokenChannel("a dict key that cannot be a key") from None
    if "callable" in data and make_callable is not None:
        return make_callable(int(data["callable"]))
    raise BrokenChannel("a malformed value")


def array_from(data, buffers):
    dtype, shape = data.get("dtype"), data.get("shape")
    index = data.get("array", data.get("scalar"))
    if dtype not in DTYPES or type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape) \
            or type(index) is not int or not 0 <= index < len(buffers):
        raise BrokenChannel("a malformed array")
    buffer = buffers[index]
    if len(buffer) != int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize:
        raise BrokenChannel("an array whose bytes do not match its shape")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape).copy()


def send(sock, message, where="the value", callables=None):
    """Send a dict of plain values. NotPlainData is raised before anything is written."""
    buffers = []
    value = to_plain(message, buffers, where, callables)
    sizes = [len(b) for b in buffers]
    header = json.dumps({"sizes": sizes, "value": value}).encode()
    data_length = sum(sizes)
    if len(header) > MAX_HEADER or data_length > MAX_DATA:
        raise NotPlainData(f"{where} is too large to grade ({(len(header) + data_length) / 2**20:.0f} MB)")
    sock.sendall(FRAME.pack(len(header), data_length) + header)
    for buffer in buffers:
        sock.sendall(buffer)


def receive(sock, make_callable=None):
    """The next message on `sock` (the caller bounds the wait, e.g. with sock.settimeout)."""
    header_length, data_length = FRAME.unpack(read_exactly(sock, FRAME.size))
    if header_length > MAX_HEADER or data_length > MAX_DATA:
        raise BrokenChannel(f"a message of {(header_length + data_length) / 2**20:.0f} MB, over the limit")
    try:
        header = json.loads(read_exactly(sock, header_length))
        sizes = header["sizes"]
        if sum(sizes) != data_length or not all(type(s) is int and s >= 0 for s in sizes):
            raise BrokenChannel("array sizes that do not add up")
    except (ValueError, KeyError, TypeError, RecursionError):
        raise BrokenChannel("a malformed header") from None
    data = read_exactly(sock, data_length)
    buffers, start = [], 0
    for size in sizes:
        buffers.append(data[start:start + size])
        start += size
    try:
        return from_plain(header["value"], buffers, make_callable)
    except (TypeError, ValueError, RecursionError):
        raise BrokenChannel("a malformed value") from None


def read_exactly(sock, count):
    chunks, left = [], count
    while left:
        chunk = sock.recv(min(left, 2**22))
        if not chunk:
            raise BrokenChannel("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
