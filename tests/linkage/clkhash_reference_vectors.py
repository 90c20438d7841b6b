#!/usr/bin/env python3
"""Independent derivation of the expected CLKs in tests/linkage/*_test.cpp.

A from-scratch re-statement of clkhash's published algorithm (clkhash
bloomfilter.py, comparators.py, key_derivation.py, field_formats.py) using
only the Python standard library (hashlib, hmac, datetime, int/float, str
codecs), so the C++ encoder is checked against Python's own semantics rather
than against itself. It reproduces the published anonlink-client vectors
(run with --check-published), which validates this reference before it is
used for the features those vectors do not cover.

Usage:
  python3 tests/linkage/clkhash_reference_vectors.py --check-published
  python3 tests/linkage/clkhash_reference_vectors.py        # prints the vectors
"""
import base64
import hashlib
import hmac
import json
import struct
import sys
from datetime import datetime

SHARED = __file__.rsplit('/tests/', 1)[0] + '/../shared/testvectors/clkhash/'


def hkdf(secret, length, hash_name, salt, info):
    # RFC 5869 with hmac/hashlib (the reference must not share OpenSSL's EVP_KDF code path).
    h = getattr(hashlib, hash_name.lower())
    salt = salt if salt else b'\0' * h().digest_size
    prk = hmac.new(salt, secret, h).digest()
    okm, block, i = b'', b'', 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([i]), h).digest()
        okm += block
        i += 1
    return okm[:length]


def feature_keys(schema, secret):
    kdf = schema['clkConfig']['kdf']
    size = kdf.get('keySize', 64)
    n = len(schema['features'])
    okm = hkdf(secret, 2 * n * size, kdf.get('hash', 'SHA256'),
               base64.b64decode(kdf['salt']) if 'salt' in kdf else None,
               base64.b64decode(kdf['info']) if 'info' in kdf else b'')
    return [(okm[(2 * f) * size:(2 * f + 1) * size], okm[(2 * f + 1) * size:(2 * f + 2) * size]) for f in range(n)]


def format_value(feature, value):
    fmt, hashing = feature['format'], feature['hashing']
    missing = hashing.get('missingValue')
    if missing and value == missing['sentinel']:
        return missing.get('replaceWith', missing['sentinel'])
    if fmt['type'] == 'integer':
        return str(int(value, 10))
    if fmt['type'] == 'date':
        return datetime.strptime(value, fmt['format']).strftime('%Y%m%d')
    return value


def tokenize(comparison, word):
    if len(word) == 0:
        return []
    if comparison['type'] == 'exact':
        return [word]
    if comparison['type'] == 'numeric':
        precision = comparison.get('fractional_precision', 0)
        interval = int(round(comparison['thresholdDistance'] * pow(10, precision)))
        resolution = comparison['resolution']
        try:
            v = int(word, 10) * pow(10, precision)
        except ValueError:
            x = float(word)
            v = int(round(x * pow(10, precision))) if precision > 0 else int(x)
        v = v * 2 * resolution
        residue = v % interval
        if residue != 0:
            v = v - residue if residue < interval / 2 else v + (interval - residue)
        return [str(v + i * interval) for i in range(-resolution, resolution + 1)]
    n = comparison['n']
    if n > 1:
        word = ' ' * (n - 1) + word + ' ' * (n - 1)
    grams = [word[i:i + n] for i in range(len(word) - n + 1)]
    if comparison.get('positional', False):
        grams = ['{} {}'.format(i + 1, g) for i, g in enumerate(grams)]
    return grams


def bits_per_token(strategy, count):
    if 'bitsPerToken' in strategy:
        return [strategy['bitsPerToken']] * count
    k, residue = divmod(strategy['bitsPerFeature'], count)
    return [k + 1] * residue + [k] * (count - residue)


def token_indices(hash_config, keys, token_bytes, k, l):
    if hash_config.get('type', 'blakeHash') == 'blakeHash':
        values = []
        for m in range((k + 31) // 32):
            digest = hashlib.blake2b(token_bytes, key=keys[0], salt=str(m).encode()).digest()
            values.extend(struct.unpack('<32H', digest))
        return [values[i] % l for i in range(k)]
    h1 = int.from_bytes(hmac.new(keys[0], token_bytes, hashlib.sha1).digest(), 'big') % l
    h2 = int.from_bytes(hmac.new(keys[1], token_bytes, hashlib.md5).digest(), 'big') % l
    i = 0
    while hash_config.get('prevent_singularity', False) and h2 == 0:
        h2 = int.from_bytes(hmac.new(keys[1], token_bytes + chr(i).encode(), hashlib.md5).digest(), 'big') % l
        i += 1
    return [(h1 + j * h2) % l for j in range(k)]


def encode(schema, secret, record):
    l = schema['clkConfig']['l']
    folds = schema['clkConfig'].get('xorFolds', 0)
    hash_l = l * 2 ** folds
    bits = [0] * hash_l
    for feature, keys, value in zip(schema['features'], feature_keys(schema, secret), record):
        if feature.get('ignored', False):
            continue
        hashing = feature['hashing']
        tokens = tokenize(hashing['comparison'], format_value(feature, value))
        encoding = feature['format'].get('encoding', 'utf-8') if feature['format']['type'] == 'string' else 'utf-8'
        if not tokens:
            continue
        for token, k in zip(tokens, bits_per_token(hashing['strategy'], len(tokens))):
            for index in token_indices(hashing.get('hash', {}), keys, token.encode(encoding), k, hash_l):
                bits[index] = 1
    for _ in range(folds):
        half = len(bits) // 2
        bits = [a ^ b for a, b in zip(bits[:half], bits[half:])]
    packed = bytes(int(''.join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))  # MSB first
    return base64.b64encode(packed).decode()


def check_published():
    schema = json.load(open(SHARED + 'novt_schema.json'))
    for party in (0, 1):
        rows = [line.rstrip('\n').split(',') for line in open(
            SHARED + 'ncvr_numrec_5000_modrec_2_ocp_20_myp_{}_nump_10.csv'.format(party))][1:]
        expected = json.load(open(SHARED + 'anonlink-client_novt_clk_{}.json'.format(party)))['clks']
        for row, clk in list(zip(rows, expected))[:200]:
            assert encode(schema, b'secret', row) == clk, row
    print('reference reproduces the first 200 published CLKs of both parties')


if __name__ == '__main__':
    if '--check-published' in sys.argv:
        check_published()
    else:
        for name, schema, secret, records in json.load(sys.stdin):
            for record in records:
                print(json.dumps([name, record, encode(schema, secret.encode(), record)]))
