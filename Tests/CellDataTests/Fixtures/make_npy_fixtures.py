"""Writes the .npy files that Tests/CellDataTests read: one per layout NumPy can produce
that the engine must accept or refuse. Run: python3 Tests/CellDataTests/Fixtures/make_npy_fixtures.py"""
import os
import numpy as np

out = os.path.dirname(os.path.abspath(__file__))
values = np.arange(6).reshape(2, 3) * 0.5 - 1.0          # [[-1, -0.5, 0], [0.5, 1, 1.5]]

np.save(os.path.join(out, "float32.npy"), values.astype(np.float32))
np.save(os.path.join(out, "float64.npy"), values.astype(np.float64))
np.save(os.path.join(out, "int32.npy"), (values * 2).astype(np.int32))
np.save(os.path.join(out, "int64.npy"), (values * 2).astype(np.int64))
np.save(os.path.join(out, "channel.npy"), values.astype(np.float32).reshape(2, 1, 3))   # the reference's [B, 1, G]
np.save(os.path.join(out, "vector.npy"), np.array([999, 1, 500], dtype=np.int64))
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(values.astype(np.float32)))
np.save(os.path.join(out, "bigendian.npy"), values.astype(">f4"))
np.save(os.path.join(out, "bigendian-f8.npy"), values.astype(">f8"))
np.save(os.path.join(out, "bigendian-i8.npy"), (values * 2).astype(">i8"))
# A transposed array is saved in Fortran order; so is a 3-D one made Fortran-contiguous.
np.save(os.path.join(out, "transposed.npy"), values.astype(np.float64).T)
np.save(os.path.join(out, "fortran3d.npy"), np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4)))
np.save(os.path.join(out, "float16.npy"), values.astype(np.float16))
with_nan = values.astype(np.float32)
with_nan[1, 2] = np.nan
np.save(os.path.join(out, "nan.npy"), with_nan)
# Format 2.0 (a 4-byte header length), as NumPy writes for very wide headers.
with open(os.path.join(out, "version2.npy"), "wb") as f:
    np.lib.format.write_array(f, values.astype(np.float32), version=(2, 0))
