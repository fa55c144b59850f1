/*
 * The timer_list parser's scanners: decimal and hex numbers, names and fixed
 * words read 16 bytes at a time with SSE2 (x86-64 always has it) and eight at
 * a time (SWAR) on other little-endian CPUs, each with the byte-at-a-time loop
 * behind it.  They return what the byte-at-a-time reads (td_parse_u64, ...)
 * would; CI builds the parser's tests with -U__SSE2__ too, so the SWAR path is
 * tested on x86 as well.  Included by timer_list.c and by ksyms.c (kallsyms'
 * addresses): static inline, as they run for every field of every line.
 */
#ifndef TD_TIMER_LIST_SCAN_H
#define TD_TIMER_LIST_SCAN_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "numparse.h"

/* True when [p, end) starts with the string literal lit (memcmp of a constant size). */
#define TL_HAS(p, end, lit) \
	((size_t)((end) - (p)) >= sizeof(lit) - 1 && memcmp((p), (lit), sizeof(lit) - 1) == 0)

/* Skip blanks (inline: this runs for every field of every line). */
static inline const char *
tl_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TL_SWAR	1
/* Value of 8 ASCII digits read little endian (first digit in the low byte). */
static inline uint64_t
tl_8value(uint64_t w)
{
	w -= 0x3030303030303030ull;
	w = w * 10 + (w >> 8);
	return ((w & 0x000000ff000000ffull) * (100 + (1000000ull << 32)) +
	    ((w >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32))) >> 32;
}
#endif

#ifdef TL_SWAR
/* 0x80 in each byte of w (7-bit bytes) that lies in [lo, hi]. */
#define TL_BYTES(x)		(0x0101010101010101ull * (x))
#define TL_IN(w, lo, hi)	(((w) + TL_BYTES(0x80 - (lo))) & ~((w) + TL_BYTES(0x7f - (hi))) & \
				    TL_BYTES(0x80))

/* 0x80 in each byte of w that is an ASCII digit. */
static inline uint64_t
tl_digits(uint64_t w)
{
	return TL_IN(w & TL_BYTES(0x7f), '0', '9') & ~w;
}
#endif

#if defined(__GNUC__)
#define TL_INLINE	inline __attribute__((always_inline))
#else
#define TL_INLINE	inline
#endif

#ifdef TL_SWAR

#if defined(__SSE2__)
#define TL_SSE2	1
/* How many of the 16 bytes at p are ASCII digits before the first that is not (16: all). */
static TL_INLINE unsigned
tl_digit_run16(const char *p)
{
	__m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p),
	    _mm_set1_epi8('0'));
	/* a digit is a byte d <= 9 (unsigned): min(d, 9) == d */
	__m128i m = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);

	return (unsigned)__builtin_ctz(~(unsigned)_mm_movemask_epi8(m));	/* bit 16 is set */
}
#else
/* The same eight bytes at a time. */
static TL_INLINE unsigned
tl_digit_run16(const char *p)
{
	uint64_t w, nd;

	for (unsigned k = 0; k < 16; k += 8) {
		memcpy(&w, p + k, 8);
		if ((nd = ~tl_digits(w) & TL_BYTES(0x80)) != 0)
			return k + (unsigned)__builtin_ctzll(nd) / 8;
	}
	return 16;
}
#endif

/* The value of the n < 8 digits that start w (little endian): shifted to its end. */
static TL_INLINE uint64_t
tl_nvalue(uint64_t w, unsigned n)
{
	return tl_8value((w << (64 - 8 * n)) | (TL_BYTES('0') >> (8 * n)));
}

/*
 * Up to 19 digits at p (the caller made sure of 24 readable bytes): the length
 * of the run first, then eight digits at a time, a shorter group shifted so that
 * its digits end the word.  Returns the number of digits, 0 when there is none
 * or more than 19 (the slow path sorts those out).
 */
static TL_INLINE unsigned
tl_swar_u64(const char *p, uint64_t *out)
{
	static const uint64_t pow10[9] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	};
	uint64_t w, v;
	unsigned n = tl_digit_run16(p), k;

	if (n == 0)
		return 0;
	memcpy(&w, p, 8);
	if (n < 8) {
		*out = tl_nvalue(w, n);
		return n;
	}
	v = tl_8value(w);
	if (n == 8) {
		*out = v;
		return 8;
	}
	memcpy(&w, p + 8, 8);
	if (n < 16) {
		*out = v * pow10[n - 8] + tl_nvalue(w, n - 8);
		return n;
	}
	v = v * 100000000u + tl_8value(w);
	for (k = 16; k < 20 && (unsigned)(p[k] - '0') < 10; k++)
		v = v * 10 + (unsigned)(p[k] - '0');
	if (k > 19)
		return 0;
	*out = v;
	return k;
}
#endif

/*
 * Decimal digits at *pp, as td_parse_u64 (0, -EINVAL without a digit, -ERANGE on
 * overflow, *pp advanced on success).
 */
static TL_INLINE int
tl_u64(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp, *s = p, *lim;
	uint64_t v = 0;
	unsigned d;

#ifdef TL_SWAR
	if (end - p >= 24 && (d = tl_swar_u64(p, &v)) != 0) {
		*pp = p + d;
		*out = v;
		return 0;
	}
#endif
	lim = end - s > 19 ? s + 19 : end;
	while (p < lim && (d = (unsigned)(*p - '0')) < 10) {
		v = v * 10 + d;
		p++;
	}
	if (p == s)
		return -EINVAL;
	if (p < end && (unsigned)(*p - '0') < 10)
		return td_parse_u64(pp, end, out);	/* 20 digits or more: rare */
	*pp = p;
	*out = v;
	return 0;
}

/* Signed decimal, as td_parse_i64. */
static TL_INLINE int
tl_i64(const char **pp, const char *end, int64_t *out)
{
	const char *p = *pp;
	bool neg = false;
	uint64_t v;
	int r;

	if (p < end && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	if ((r = tl_u64(&p, end, &v)) < 0)
		return r;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*pp = p;
	return 0;
}

/* Step over a number tl_i64 reads (the value is not needed). */
static TL_INLINE bool
tl_skip_i64(const char **pp, const char *end)
{
	const char *p = *pp;
	int64_t v;
#ifdef TL_SWAR
	unsigned n;

	if (end - p >= 24) {
		p += *p == '-';
		n = tl_digit_run16(p);
		if (n > 0 && n < 16) {	/* fewer than 19 digits always fit */
			*pp = p + n;
			return true;
		}
	}
#endif
	return tl_i64(pp, end, &v) == 0;
}

/* Value + 1 of each byte as a hex digit, 0 if it is not one. */
static const unsigned char tl_hexdig[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
	['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
	['F'] = 16,
};

/* Hex digits at *pp (no 0x): 0, -EINVAL, or -ERANGE past 16 digits. */
static inline int
tl_hex(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp, *s = p;
	uint64_t v = 0;

#ifdef TL_SSE2
	/* sixteen at once: the 64-bit kernels' <%p> */
	if (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
		__m128i l = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
		__m128i isd = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
		__m128i isl = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);

		if (_mm_movemask_epi8(_mm_or_si128(isd, isl)) == 0xffff) {
			/* nibble values; each pair (high, low) into one byte; bytes big endian */
			__m128i nib = _mm_or_si128(_mm_and_si128(isd, d),
			    _mm_andnot_si128(isd, _mm_add_epi8(l, _mm_set1_epi8(10))));
			__m128i b = _mm_or_si128(
			    _mm_and_si128(_mm_slli_epi16(nib, 4), _mm_set1_epi16(0x00f0)),
			    _mm_srli_epi16(nib, 8));
			uint64_t w;

			_mm_storel_epi64((__m128i *)(void *)&w,
			    _mm_packus_epi16(b, _mm_setzero_si128()));
			v = __builtin_bswap64(w);
			p += 16;
		}
	}
#endif
#ifdef TL_SWAR
	/* eight at a time while whole words are hex (no SSE2, or a 32-bit kernel's <%p>) */
	while (end - p >= 8 && p - s < 16) {
		uint64_t w, x;

		memcpy(&w, p, 8);
		x = w & TL_BYTES(0x7f);
		if (((tl_digits(w) | (TL_IN(x | TL_BYTES(0x20), 'a', 'f') & ~w)) !=
		    TL_BYTES(0x80)))
			break;
		/* nibble values, first digit in the low byte, then packed */
		w = (w & TL_BYTES(0x0f)) + 9 * ((w >> 6) & TL_BYTES(0x01));
		w = ((w << 4) | (w >> 8)) & 0x00ff00ff00ff00ffull;
		w = ((w << 8) | (w >> 16)) & 0x0000ffff0000ffffull;
		w = ((w << 16) | (w >> 32)) & 0x00000000ffffffffull;
		v = (v << 32) | w;
		p += 8;
	}
#endif
	for (; p < end; p++) {
		unsigned x = tl_hexdig[(unsigned char)*p];

		if (x == 0)
			break;
		v = (v << 4) | (x - 1);
	}
	if (p == s)
		return -EINVAL;
	if (p - s > 16)
		return -ERANGE;
	*pp = p;
	*out = v;
	return 0;
}

/* True when the n bytes (8 <= n <= 16) at q equal lit: two overlapping words. */
static inline bool
tl_is(const char *q, const char *lit, size_t n)
{
	uint64_t a, b, c, d;

	memcpy(&a, q, 8);
	memcpy(&b, lit, 8);
	memcpy(&c, q + n - 8, 8);
	memcpy(&d, lit + n - 8, 8);
	return a == b && c == d;
}

/* The first blank, control byte or ',' at or after q (lim if none). */
static inline const char *
tl_name_end(const char *q, const char *lim)
{
#ifdef TL_SSE2
	while (lim - q >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
		/* bytes <= ' ' (unsigned: min(x, ' ') == x) or ',' */
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(' ')), x),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8(','))));

		if (m != 0)
			return q + __builtin_ctz(m);
		q += 16;
	}
#endif
#ifdef TL_SWAR
	while (lim - q >= 8) {
		uint64_t w, x, m;

		memcpy(&w, q, 8);
		x = w & TL_BYTES(0x7f);
		m = (TL_IN(x, 0, ' ') | TL_IN(x, ',', ',')) & ~w;
		if (m != 0)
			return q + __builtin_ctzll(m) / 8;
		q += 8;
	}
#endif
	while (q < lim && (unsigned char)*q > ' ' && *q != ',')
		q++;
	return q;
}

#endif
