/* RTC devices from sysfs, with their drift against the system time. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "rtc.h"
#include "source.h"

/* Free an RTC list (NULL is fine). */
void
td_rtcs_free(struct td_rtcs *r)
{
	if (r == NULL)
		return;
	free(r->rtc);
	free(r);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Parse exactly n digits at *p into *v. */
static bool
digits(const char **p, int n, unsigned *v)
{
	*v = 0;
	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return false;
		*v = *v * 10 + (unsigned)(**p - '0');
		(*p)++;
	}
	return true;
}

/* Seconds since the epoch of "YYYY-MM-DD" and "HH:MM:SS" (read as UTC). */
static bool
civil_to_epoch(const char *date, const char *time, int64_t *out)
{
	unsigned y, mo, d, h, mi, s;
	const char *p = date, *q = time;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d) || *p != '\0')
		return false;
	if (!digits(&q, 2, &h) || *q++ != ':' || !digits(&q, 2, &mi) || *q++ != ':' ||
	    !digits(&q, 2, &s) || *q != '\0')
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

/* Note why an attribute is missing (first few only, they share one buffer). */
static void
note_absent(struct td_rtc *r, const char *attr, int err)
{
	char one[64];

	if (err == -ENOENT)
		return;
	snprintf(one, sizeof(one), "%s%s: %s", r->absent[0] ? "; " : "", attr, strerror(-err));
	strlcat(r->absent, one, sizeof(r->absent));
}

/* Read one sysfs attribute of an RTC into buf; 0 or -errno (buf "" then). */
static int
attr(const char *sysroot, const char *dev, const char *name, char *buf, size_t len)
{
	char abs[256];
	int r;

	snprintf(abs, sizeof(abs), "/sys/class/rtc/%s/%s", dev, name);
	r = td_read_line_root(sysroot, abs, buf, len, NULL);
	if (r < 0)
		buf[0] = '\0';
	return r;
}

/* Fill one RTC from its sysfs directory. */
static void
read_one(const char *sysroot, struct td_rtc *r, const int64_t *now_s)
{
	char buf[64];
	const char *p;
	uint64_t v;
	int err;

	if ((err = attr(sysroot, r->dev, "name", r->name, sizeof(r->name))) < 0)
		note_absent(r, "name", err);
	if ((err = attr(sysroot, r->dev, "date", r->date, sizeof(r->date))) < 0)
		note_absent(r, "date", err);
	if ((err = attr(sysroot, r->dev, "time", r->time, sizeof(r->time))) < 0)
		note_absent(r, "time", err);
	r->hctosys = -1;
	if ((err = attr(sysroot, r->dev, "hctosys", buf, sizeof(buf))) < 0)
		note_absent(r, "hctosys", err);
	else if (strcmp(buf, "0") == 0 || strcmp(buf, "1") == 0)
		r->hctosys = buf[0] - '0';
	if ((err = attr(sysroot, r->dev, "since_epoch", buf, sizeof(buf))) < 0)
		note_absent(r, "since_epoch", err);
	else {
		p = buf;
		if (td_parse_u64(&p, buf + strlen(buf), &v) == 0 && *p == '\0' &&
		    v <= (uint64_t)INT64_MAX) {
			r->has_since_epoch = true;
			r->since_epoch = (int64_t)v;
		}
	}
	if (!r->has_since_epoch && civil_to_epoch(r->date, r->time, &r->since_epoch)) {
		r->has_since_epoch = true;
		r->since_epoch_derived = true;
	}
	if (r->has_since_epoch && now_s != NULL) {
		r->has_drift = true;
		r->drift_s = r->since_epoch - *now_s;
	}
}

/* Order RTCs by device number (rtc2 before rtc10). */
static int
rtc_cmp(const void *a, const void *b)
{
	const struct td_rtc *x = a, *y = b;
	long nx = strtol(x->dev + 3, NULL, 10), ny = strtol(y->dev + 3, NULL, 10);

	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x->dev, y->dev);
}

/* Read every RTC under a sysroot. */
int
td_rtc_read(const char *sysroot, const int64_t *now_s, struct td_rtcs **out,
    struct td_error *e)
{
	struct td_rtcs *rs;
	struct td_error err;
	struct dirent *de;
	char dir[4096];
	size_t cap = 0;
	DIR *dp;

	*out = NULL;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return td_error_set(e, ENOMEM, "/sys/class/rtc", 0, "out of memory");
	if ((dp = td_opendir_root(sysroot, "/sys/class/rtc", dir, sizeof(dir), &err)) == NULL) {
		if (err.code == ENOENT || err.code == ENOTDIR) {
			*out = rs;	/* no RTC class: no RTC, not an error */
			return 0;
		}
		if (e != NULL)
			*e = err;
		td_rtcs_free(rs);
		return -err.code;
	}
	while ((de = readdir(dp)) != NULL) {
		struct td_rtc *n;

		if (strncmp(de->d_name, "rtc", 3) != 0 || strlen(de->d_name) >= sizeof(n->dev))
			continue;
		if (rs->n == cap) {
			cap = cap ? cap * 2 : 4;
			if ((n = reallocarray(rs->rtc, cap, sizeof(*n))) == NULL) {
				closedir(dp);
				td_rtcs_free(rs);
				return td_error_set(e, ENOMEM, dir, 0, "out of memory");
			}
			rs->rtc = n;
		}
		n = &rs->rtc[rs->n++];
		memset(n, 0, sizeof(*n));
		strlcpy(n->dev, de->d_name, sizeof(n->dev));
		read_one(sysroot, n, now_s);
	}
	closedir(dp);
	if (rs->n > 1)
		qsort(rs->rtc, rs->n, sizeof(*rs->rtc), rtc_cmp);
	*out = rs;
	return 0;
}
