/* sysfs clock sources and clock event devices. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clocksource.h"
#include "source.h"

#define CS_DIR	"/sys/devices/system/clocksource/clocksource0"
#define CE_DIR	"/sys/devices/system/clockevents"

static int
cmp_event(const void *a, const void *b)
{
	const struct td_clockevent *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* Read each clockeventN/current_device file. */
static int
read_events(const char *sysroot, struct td_clocksources *cs, struct td_error *e)
{
	char dir[4096], rel[512];
	struct dirent *d;
	DIR *dp;

	if ((dp = td_opendir_root(sysroot, CE_DIR, dir, sizeof(dir), NULL)) == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		struct td_clockevent *ev;
		const char *errstr;
		long long idx;

		if (strncmp(d->d_name, "clockevent", 10) != 0)
			continue;
		idx = strtonum(d->d_name + 10, 0, 1 << 20, &errstr);
		if (errstr != NULL)
			continue;
		ev = reallocarray(cs->events, cs->nevents + 1, sizeof(*ev));
		if (ev == NULL) {
			closedir(dp);
			return td_error_set(e, ENOMEM, dir, 0, "out of memory");
		}
		cs->events = ev;
		ev = &cs->events[cs->nevents];
		ev->index = (int)idx;
		snprintf(rel, sizeof(rel), CE_DIR "/%s/current_device", d->d_name);
		if (td_read_line_root(sysroot, rel, ev->device, sizeof(ev->device), NULL) < 0)
			continue;
		cs->nevents++;
	}
	closedir(dp);
	qsort(cs->events, cs->nevents, sizeof(*cs->events), cmp_event);
	return 0;
}

/* Read clock sources and clock event devices from sysfs. */
int
td_clocksources_read(const char *sysroot, struct td_clocksources *cs, struct td_error *e)
{
	char avail[1024], *p, *tok, *save;
	struct td_error err;

	memset(cs, 0, sizeof(*cs));
	if (td_read_line_root(sysroot, CS_DIR "/current_clocksource", cs->current,
	    sizeof(cs->current), &err) == 0)
		cs->has_current = true;
	else
		snprintf(cs->why_missing, sizeof(cs->why_missing), "%s: %s", err.path, err.msg);
	if (td_read_line_root(sysroot, CS_DIR "/available_clocksource", avail,
	    sizeof(avail), NULL) == 0) {
		cs->has_available = true;
		for (p = avail; (tok = strtok_r(p, " \t", &save)) != NULL; p = NULL) {
			if (cs->navailable == TD_CS_MAX_AVAIL)
				break;
			strlcpy(cs->available[cs->navailable++], tok, TD_CS_NAME_MAX);
		}
	}
	if (td_read_line_root(sysroot, CE_DIR "/broadcast/current_device", cs->broadcast,
	    sizeof(cs->broadcast), NULL) == 0)
		cs->has_broadcast = true;
	return read_events(sysroot, cs, e);
}

/* Free what td_clocksources_read allocated. */
void
td_clocksources_free(struct td_clocksources *cs)
{
	if (cs == NULL)
		return;
	free(cs->events);
	cs->events = NULL;
	cs->nevents = 0;
}

/* How good a clock source is for timekeeping: cheap, fine, stable counters rank high. */
int
td_clocksource_rank(const char *name)
{
	static const struct { const char *name; int rank; } ranks[] = {
		{ "tsc", 100 }, { "arch_sys_counter", 100 }, { "timebase", 100 },
		{ "riscv_clocksource", 100 }, { "kvm-clock", 90 }, { "hyperv_clocksource_tsc_page", 90 },
		{ "xen", 80 }, { "tsc-early", 60 }, { "hpet", 40 }, { "acpi_pm", 30 },
		{ "pit", 10 }, { "refined-jiffies", 5 }, { "jiffies", 1 },
	};

	for (size_t i = 0; i < sizeof(ranks) / sizeof(ranks[0]); i++)
		if (strcmp(name, ranks[i].name) == 0)
			return ranks[i].rank;
	return 50;	/* a platform timer we do not know: neither good nor bad */
}
