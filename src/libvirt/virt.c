// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt-config.h" /* VK_HAVE_LIBVIRT, written by the Makefile */
#include "virt.h"

#if VK_HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

bool vk_virt_available(void)
{
	return true;
}

/* libvirt prints its errors to stderr unless told otherwise: they go into
 * err instead. */
static void quiet(void *data, virErrorPtr e)
{
}

static virConnectPtr open_uri(const char *uri, char *err, size_t errlen)
{
	static bool ready;
	virConnectPtr c;

	if (!ready) {
		virSetErrorFunc(NULL, quiet);
		/* an embedded driver (qemu:///embed) wants an event loop */
		virEventRegisterDefaultImpl();
		ready = true;
	}
	c = virConnectOpen(uri);
	if (!c)
		snprintf(err, errlen, "%s: %s", uri, virGetLastErrorMessage());
	return c;
}

int vk_virt_domain_xml(const char *uri, const char *name, char **xml, char *err, size_t errlen)
{
	virConnectPtr c = open_uri(uri, err, errlen);
	virDomainPtr d;
	int r = 0;

	*xml = NULL;
	if (!c)
		return -EIO;
	d = virDomainLookupByName(c, name);
	if (!d) {
		r = virGetLastErrorCode() == VIR_ERR_NO_DOMAIN ? -ENOENT : -EIO;
		snprintf(err, errlen, "%s: domain %s: %s", uri, name, virGetLastErrorMessage());
	} else {
		*xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
		if (!*xml) {
			r = -EIO;
			snprintf(err, errlen, "%s: domain %s: %s", uri, name,
				 virGetLastErrorMessage());
		}
		virDomainFree(d);
	}
	virConnectClose(c);
	return r;
}

int vk_virt_define(const char *uri, const char *xml, char *err, size_t errlen)
{
	virConnectPtr c = open_uri(uri, err, errlen);
	virDomainPtr d;

	if (!c)
		return -EIO;
	d = virDomainDefineXML(c, xml);
	if (d)
		virDomainFree(d);
	else
		snprintf(err, errlen, "%s: %s", uri, virGetLastErrorMessage());
	virConnectClose(c);
	return d ? 0 : -EIO;
}

#else

bool vk_virt_available(void)
{
	return false;
}

static int without(char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "this vfiokit was built without libvirt (make LIBVIRT=1; Gentoo: USE=libvirt)");
	return -ENOTSUP;
}

int vk_virt_domain_xml(const char *uri, const char *name, char **xml, char *err, size_t errlen)
{
	*xml = NULL;
	return without(err, errlen);
}

int vk_virt_define(const char *uri, const char *xml, char *err, size_t errlen)
{
	return without(err, errlen);
}
#endif
