/* The raw event decoder: tracefs sub-buffers to timer, IRQ and softirq events. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "internal.h"
#include "trace_dat_page.h"
#include "trace_decode.h"

/* Where a field sits in an event record; size 0 when the format lacks it. */
struct fld {
	int	off;
	int	size;
};

/* What to do with one event id. */
struct evdesc {
	enum td_tev_type	 type;
	struct fld		 ptr, function, flags, num, arg, name;
	struct fld		 hi;		/* ORed into flags << 8 (tmigr active) */
	int			 sub;
	const char		*label;		/* vectors: the /proc/interrupts label */
	bool			 name_dyn;	/* name is a __data_loc string */
	bool			 name_arr;	/* name is a char array (comm) */
};

struct td_trace_decoder {
	struct fld		 c_type, c_flags, c_pid;
	int			 maxid;
	short			*idmap;		/* event id -> index into ev[], -1 none */
	struct evdesc		 ev[48];
	int			 nev;
	bool			 has[TD_TEV_NTYPES];
	uint32_t		 deferrable, pinned;
	int			 header_size;	/* sub-buffer header: timestamp + commit */
};

/* The events we decode: system, name, type, vector label. */
static const struct {
	const char		*sys, *name;
	enum td_tev_type	 type;
	const char		*label;
	int			 sub;
} wanted[] = {
	{ "timer", "timer_start", TD_TEV_TIMER_START, NULL , 0 },
	{ "timer", "hrtimer_start", TD_TEV_HRTIMER_START, NULL , 0 },
	{ "timer", "timer_expire_entry", TD_TEV_TIMER_EXPIRE, NULL , 0 },
	{ "timer", "hrtimer_expire_entry", TD_TEV_HRTIMER_EXPIRE, NULL , 0 },
	{ "timer", "timer_cancel", TD_TEV_TIMER_CANCEL, NULL , 0 },
	{ "timer", "hrtimer_cancel", TD_TEV_HRTIMER_CANCEL, NULL , 0 },
	{ "irq", "irq_handler_entry", TD_TEV_IRQ, NULL , 0 },
	{ "irq", "softirq_entry", TD_TEV_SOFTIRQ, NULL , 0 },
	{ "irq", "softirq_raise", TD_TEV_SOFTIRQ_RAISE, NULL , 0 },
	{ "irq_vectors", "local_timer_entry", TD_TEV_VECTOR, "LOC" , 0 },
	{ "irq_vectors", "reschedule_entry", TD_TEV_VECTOR, "RES" , 0 },
	{ "irq_vectors", "call_function_entry", TD_TEV_VECTOR, "CAL" , 0 },
	{ "irq_vectors", "call_function_single_entry", TD_TEV_VECTOR, "CAL" , 0 },
	{ "irq_vectors", "irq_work_entry", TD_TEV_VECTOR, "IWI" , 0 },
	{ "irq_vectors", "x86_platform_ipi_entry", TD_TEV_VECTOR, "PLT" , 0 },
	{ "irq_vectors", "thermal_apic_entry", TD_TEV_VECTOR, "TRM" , 0 },
	{ "irq_vectors", "threshold_apic_entry", TD_TEV_VECTOR, "THR" , 0 },
	{ "irq_vectors", "deferred_error_apic_entry", TD_TEV_VECTOR, "DFR" , 0 },
	{ "irq_vectors", "error_apic_entry", TD_TEV_VECTOR, "ERR" , 0 },
	{ "irq_vectors", "spurious_apic_entry", TD_TEV_VECTOR, "SPU" , 0 },
	{ "power", "cpu_idle", TD_TEV_IDLE, NULL , 0 },
	{ "power", "cpu_idle_miss", TD_TEV_IDLE_MISS, NULL , 0 },
	{ "sched", "sched_switch", TD_TEV_SCHED_SWITCH, NULL , 0 },
	{ "sched", "sched_wakeup", TD_TEV_SCHED_WAKEUP, NULL , 0 },
	{ "timer", "tick_stop", TD_TEV_TICK_STOP, NULL , 0 },
	{ "timer", "timer_base_idle", TD_TEV_TIMER_BASE_IDLE, NULL , 0 },
#define TMIGR(name, sub) { "timer_migration", name, TD_TEV_TMIGR, NULL, sub },
	TD_TMIGR_EVENTS(TMIGR)
#undef TMIGR
};

/* The /proc/interrupts label of an irq_vectors entry event, or NULL. */
const char *
td_trace_vector_label(const char *name, size_t len)
{
	for (size_t i = 0; i < TD_ARRAY_SIZE(wanted); i++)
		if (wanted[i].label != NULL && strlen(wanted[i].name) == len &&
		    memcmp(wanted[i].name, name, len) == 0)
			return wanted[i].label;
	return NULL;
}

/* Where a field sits in an event record; size 0 when the format lacks it. */
static struct fld
field_of(struct tep_event *ev, const char *name)
{
	struct tep_format_field *f = tep_find_field(ev, name);
	struct fld r = { 0, 0 };

	if (f != NULL && f->offset >= 0 && f->size > 0 && f->size <= 8) {
		r.off = f->offset;
		r.size = f->size;
	} else if (f != NULL && (f->flags & TEP_FIELD_IS_DYNAMIC) && f->size == 4) {
		r.off = f->offset;
		r.size = 4;
	}
	return r;
}

/* Where a char array field (a comm) sits; size 0 when absent. */
static struct fld
array_of(struct tep_event *ev, const char *name)
{
	struct tep_format_field *f = tep_find_field(ev, name);
	struct fld r = { 0, 0 };

	if (f != NULL && (f->flags & TEP_FIELD_IS_ARRAY) && f->offset >= 0 && f->size > 0 &&
	    f->size <= 64) {
		r.off = f->offset;
		r.size = f->size;
	}
	return r;
}

/* A common field's place. */
static struct fld
common_of(struct tep_event *ev, const char *name)
{
	struct tep_format_field *f = tep_find_common_field(ev, name);
	struct fld r = { 0, 0 };

	if (f != NULL && f->offset >= 0 && f->size > 0 && f->size <= 8) {
		r.off = f->offset;
		r.size = f->size;
	}
	return r;
}

/* Find the value of flag str in a __print_flags() of parsed print fmt args. */
static uint32_t
args_flag(struct tep_print_arg *a, const char *str, int depth)
{
	uint32_t v;

	for (; a != NULL && depth < 16; a = a->next) {
		if (a->type == TEP_PRINT_FLAGS) {
			for (struct tep_print_flag_sym *s = a->flags.flags; s; s = s->next)
				if (s->str != NULL && s->value != NULL && strcmp(s->str, str) == 0)
					return (uint32_t)strtoul(s->value, NULL, 0);
		} else if (a->type == TEP_PRINT_OP) {
			if ((v = args_flag(a->op.left, str, depth + 1)) != 0 ||
			    (v = args_flag(a->op.right, str, depth + 1)) != 0)
				return v;
		}
	}
	return 0;
}

/*
 * The value of flag str ("D") in a __print_flags() of the print fmt text p
 * (end e): the number before the first ', "str" }'; 0 when none.
 */
static uint32_t
text_flag(const char *p, const char *e, const char *str)
{
	size_t sl = strlen(str);

	for (const char *q = p; (q = memchr(q, '{', (size_t)(e - q))) != NULL; q++) {
		const char *v = q + 1, *t;
		char *end;
		unsigned long x;

		while (v < e && *v == ' ')
			v++;
		if (v == e || !((*v >= '0' && *v <= '9')))
			continue;
		errno = 0;
		x = strtoul(v, &end, 0);
		if (errno != 0 || x == 0 || x > UINT32_MAX || end >= e)
			continue;
		for (t = end; t < e && *t == ' '; t++)
			;
		if (t == e || *t++ != ',')
			continue;
		while (t < e && *t == ' ')
			t++;
		if ((size_t)(e - t) >= sl + 2 && t[0] == '"' && memcmp(t + 1, str, sl) == 0 &&
		    t[sl + 1] == '"')
			return (uint32_t)x;
	}
	return 0;
}

/*
 * What libtraceevent is given of an event format (fmt, len bytes, NUL at
 * fmt[len]; rewritten in place, the new length returned): its fields as
 * they are, its print fmt replaced by a plain string that holds only the
 * timer flags' values ("D=0x80000 P=0x100000", when the original's
 * __print_flags() names them), or by "".  The decoder reads fields by their
 * offsets and needs nothing else of a print fmt; libtraceevent's parser of
 * print fmt expressions crashes on some (a file from a stranger may hold
 * any), and parsing them all was an eighth of a short sample's own work.  A
 * print fmt too short to hold the replacement is cut off.
 */
int
td_trace_format_trim(char *fmt, int len)
{
	static const char key[] = "\nprint fmt:";
	char *p = len > 0 ? memmem(fmt, (size_t)len, key, sizeof(key) - 1) : NULL;
	char rep[64];
	uint32_t dv, pv;
	int n;

	if (p == NULL)
		return len;
	dv = text_flag(p, fmt + len, "D");
	pv = text_flag(p, fmt + len, "P");
	n = dv != 0 || pv != 0 ?
	    snprintf(rep, sizeof(rep), "\nprint fmt: \"D=%#x P=%#x\"\n", dv, pv) :
	    snprintf(rep, sizeof(rep), "\nprint fmt: \"\"\n");
	if (fmt + len - p < n) {
		*p = '\0';
		return (int)(p - fmt);
	}
	memcpy(p, rep, (size_t)n + 1);
	return (int)(p - fmt) + n;
}

/*
 * The deferrable and pinned bits of timer_start's flags: from the plain
 * string td_trace_format_trim left ("D=0x80000 P=0x100000"), else (a format
 * libtracecmd parsed whole) from its __print_flags().
 */
static void
timer_flags(const struct tep_event *ev, uint32_t *deferrable, uint32_t *pinned)
{
	const char *f = ev->print_fmt.format;
	char *end;

	if (f != NULL && strncmp(f, "D=", 2) == 0) {
		*deferrable = (uint32_t)strtoul(f + 2, &end, 16);
		*pinned = strncmp(end, " P=", 3) == 0 ? (uint32_t)strtoul(end + 3, NULL, 16) : 0;
		return;
	}
	*deferrable = args_flag(ev->print_fmt.args, "D", 0);
	*pinned = args_flag(ev->print_fmt.args, "P", 0);
}

/* Build a decoder from the formats in tep. */
int
td_trace_decoder_new(struct tep_handle *tep, struct td_trace_decoder **out,
    struct td_error *e)
{
	struct td_trace_decoder *d;
	struct tep_event *first = NULL;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < TD_ARRAY_SIZE(wanted); i++) {
		struct tep_event *ev = tep_find_event_by_name(tep, wanted[i].sys, wanted[i].name);

		if (ev == NULL || ev->id < 0 || ev->id > 65535)
			continue;
		if (ev->id > d->maxid)
			d->maxid = ev->id;
	}
	if ((d->idmap = malloc(((size_t)d->maxid + 1) * sizeof(short))) == NULL) {
		free(d);
		return td_error_set(e, ENOMEM, NULL, 0, "out of memory");
	}
	for (int i = 0; i <= d->maxid; i++)
		d->idmap[i] = -1;
	for (size_t i = 0; i < TD_ARRAY_SIZE(wanted); i++) {
		struct tep_event *ev = tep_find_event_by_name(tep, wanted[i].sys, wanted[i].name);
		struct evdesc *x;

		if (ev == NULL || ev->id < 0 || ev->id > 65535)
			continue;
		if (first == NULL)
			first = ev;
		x = &d->ev[d->nev];
		memset(x, 0, sizeof(*x));
		x->type = wanted[i].type;
		x->label = wanted[i].label;
		x->sub = wanted[i].sub;
		switch (x->type) {
		case TD_TEV_TIMER_START:
			x->flags = field_of(ev, "flags");
			timer_flags(ev, &d->deferrable, &d->pinned);
			/* FALLTHROUGH */
		case TD_TEV_TIMER_EXPIRE:
			x->ptr = field_of(ev, "timer");
			x->function = field_of(ev, "function");
			break;
		case TD_TEV_HRTIMER_START:
			x->flags = field_of(ev, "mode");
			/* FALLTHROUGH */
		case TD_TEV_HRTIMER_EXPIRE:
			x->ptr = field_of(ev, "hrtimer");
			x->function = field_of(ev, "function");
			break;
		case TD_TEV_TIMER_CANCEL:
			x->ptr = field_of(ev, "timer");
			break;
		case TD_TEV_HRTIMER_CANCEL:
			x->ptr = field_of(ev, "hrtimer");
			break;
		case TD_TEV_IRQ:
			x->num = field_of(ev, "irq");
			x->name = field_of(ev, "name");
			x->name_dyn = true;
			break;
		case TD_TEV_SOFTIRQ:
		case TD_TEV_SOFTIRQ_RAISE:
			x->num = field_of(ev, "vec");
			break;
		case TD_TEV_VECTOR:
			x->num = field_of(ev, "vector");
			break;
		case TD_TEV_IDLE:
			x->num = field_of(ev, "state");
			break;
		case TD_TEV_SCHED_SWITCH:
			x->num = field_of(ev, "next_pid");
			x->arg = field_of(ev, "prev_pid");
			x->name = array_of(ev, "next_comm");
			x->name_arr = true;
			break;
		case TD_TEV_SCHED_WAKEUP:
			x->num = field_of(ev, "pid");
			x->arg = field_of(ev, "target_cpu");
			x->name = array_of(ev, "comm");
			x->name_arr = true;
			break;
		case TD_TEV_TICK_STOP:
			x->num = field_of(ev, "success");
			x->flags = field_of(ev, "dependency");
			break;
		case TD_TEV_IDLE_MISS:
			x->num = field_of(ev, "state");
			x->arg = field_of(ev, "below");
			break;
		case TD_TEV_TIMER_BASE_IDLE:
			x->num = field_of(ev, "is_idle");
			x->arg = field_of(ev, "cpu");
			break;
		case TD_TEV_TMIGR:
			if (x->sub == TD_TMIGR_GROUP_ACTIVE || x->sub == TD_TMIGR_GROUP_INACTIVE) {
				x->ptr = field_of(ev, "group");
				x->num = field_of(ev, "migrator");
				x->arg = field_of(ev, "lvl");
				x->flags = field_of(ev, "childmask");
				x->hi = field_of(ev, "active");
			} else if (x->sub == TD_TMIGR_HANDLE_REMOTE) {
				x->ptr = field_of(ev, "group");
				x->arg = field_of(ev, "lvl");
			} else {
				x->ptr = field_of(ev, "parent");
				x->num = field_of(ev, "cpu");
			}
			break;
		case TD_TEV_IPI:	/* its reason is a kernel pointer: text traces only */
		case TD_TEV_NTYPES:
			break;
		}
		d->idmap[ev->id] = (short)d->nev;
		d->has[x->type] = true;
		d->nev++;
	}
	if (first == NULL) {
		td_trace_decoder_free(d);
		return td_error_set(e, ENOENT, NULL, 0, "no timer or irq events in this kernel");
	}
	d->c_type = common_of(first, "common_type");
	d->c_flags = common_of(first, "common_flags");
	d->c_pid = common_of(first, "common_pid");
	if (d->c_type.size == 0) {
		td_trace_decoder_free(d);
		return td_error_set(e, EINVAL, NULL, 0, "event format has no common_type");
	}
	if (tep_is_file_bigendian(tep) != tep_is_local_bigendian(tep)) {
		td_trace_decoder_free(d);
		return td_error_set(e, ENOTSUP, NULL, 0, "trace of the other byte order");
	}
	d->header_size = 8 + (tep_get_header_page_size(tep) == 4 ? 4 : 8);
	*out = d;
	return 0;
}

/* Free a decoder; NULL is fine. */
void
td_trace_decoder_free(struct td_trace_decoder *d)
{
	if (d == NULL)
		return;
	free(d->idmap);
	free(d);
}

/* Whether the formats include an event type. */
bool
td_trace_decoder_has(const struct td_trace_decoder *d, enum td_tev_type t)
{
	return t < TD_TEV_NTYPES && d->has[t];
}

/* The deferrable bit of timer flags, 0 if unknown. */
uint32_t
td_trace_decoder_deferrable_flag(const struct td_trace_decoder *d)
{
	return d->deferrable;
}

/* The pinned bit of timer flags, 0 if unknown. */
uint32_t
td_trace_decoder_pinned_flag(const struct td_trace_decoder *d)
{
	return d->pinned;
}

/* Read an unsigned field of up to 8 bytes, bounds checked; 0 when absent. */
static inline uint64_t
rd(const unsigned char *data, unsigned size, struct fld f, bool *ok)
{
	uint64_t v = 0;

	if (f.size == 0)
		return 0;
	if ((unsigned)f.off + (unsigned)f.size > size) {
		*ok = false;
		return 0;
	}
	switch (f.size) {
	case 1:
		v = data[f.off];
		break;
	case 2: {
		uint16_t x;
		memcpy(&x, data + f.off, 2);
		v = x;
		break;
	}
	case 4: {
		uint32_t x;
		memcpy(&x, data + f.off, 4);
		v = x;
		break;
	}
	case 8:
		memcpy(&v, data + f.off, 8);
		break;
	default:
		*ok = false;
	}
	return v;
}

/*
 * Decode one event record at data (size bytes of payload): 1 when cb had it,
 * 0 for an event of no interest, -EINVAL when its fields do not fit its format.
 */
static int
decode_record(struct td_trace_decoder *d, const unsigned char *data, unsigned size, int cpu,
    uint64_t ts, void (*cb)(const struct td_tev *ev, void *arg), void *arg)
{
	const struct evdesc *x;
	struct td_tev ev;
	uint64_t id;
	bool ok = true;

	id = rd(data, size, d->c_type, &ok);
	if (!ok)
		return -EINVAL;
	if ((int64_t)id > d->maxid || d->idmap[id] < 0)
		return 0;
	x = &d->ev[d->idmap[id]];
	ev.type = x->type;
	ev.ts = ts;
	ev.cpu = cpu;
	ev.pid = (int)(int32_t)rd(data, size, d->c_pid, &ok);
	ev.ctx = (unsigned)rd(data, size, d->c_flags, &ok);
	ev.ptr = rd(data, size, x->ptr, &ok);
	ev.function = rd(data, size, x->function, &ok);
	ev.flags = (uint32_t)rd(data, size, x->flags, &ok);
	ev.flags |= (uint32_t)rd(data, size, x->hi, &ok) << 8;
	ev.sub = x->sub;
	ev.num = (int)(int32_t)rd(data, size, x->num, &ok);
	ev.arg = (int)(int32_t)rd(data, size, x->arg, &ok);
	ev.name = NULL;
	ev.namelen = 0;
	ev.comm = NULL;
	ev.commlen = 0;
	if (x->label != NULL) {
		ev.name = x->label;
		ev.namelen = strlen(x->label);
	} else if (x->name_dyn && x->name.size == 4) {
		uint32_t loc = (uint32_t)rd(data, size, x->name, &ok);
		unsigned off = loc & 0xffff, l = loc >> 16;

		if (off + l > size) {
			ok = false;
		} else {
			ev.name = (const char *)data + off;
			ev.namelen = strnlen(ev.name, l);
		}
	} else if (x->name_arr && x->name.size > 0) {
		if ((unsigned)x->name.off + (unsigned)x->name.size > size) {
			ok = false;
		} else {
			ev.name = (const char *)data + x->name.off;
			ev.namelen = strnlen(ev.name, (size_t)x->name.size);
		}
	}
	if (!ok)
		return -EINVAL;
	cb(&ev, arg);
	return 1;
}

/* One event record's payload, as a trace.dat reader hands it over. */
int
td_trace_decode_record(struct td_trace_decoder *d, const void *data, size_t size, int cpu,
    uint64_t ts, void (*cb)(const struct td_tev *ev, void *arg), void *arg)
{
	if (size > UINT_MAX)
		return -EINVAL;
	return decode_record(d, data, (unsigned)size, cpu, ts, cb, arg);
}

/*
 * Decode one sub-buffer: a ring-buffer page (trace_dat_page.h) whose records
 * are events in the decoder's formats.
 */
int
td_trace_decode(struct td_trace_decoder *d, const void *subbuf, size_t len, int cpu,
    void (*cb)(const struct td_tev *ev, void *arg), void *arg, long *missed)
{
	struct td_trace_dat_page page;
	struct td_trace_dat_rec rec;
	int n = 0;

	*missed = 0;
	if (td_trace_dat_page_init(&page, subbuf, len, d->header_size - 8) < 0)
		return -EINVAL;
	*missed = page.missed;
	while (td_trace_dat_page_next(&page, &rec) == 1) {
		n++;
		(void)decode_record(d, rec.data, (unsigned)rec.size, cpu, rec.ts, cb, arg);
	}
	return n;
}
