/* Moving a vCPU's state between memory and the CPU. */
#ifndef ELVISOR_HYP_VCPU_SWITCH_H
#define ELVISOR_HYP_VCPU_SWITCH_H

#include <stdint.h>

struct vcpu;

/* Puts the vCPU's EL1, FP/SIMD, timer and GIC CPU-interface state into the
 * hardware; vcpu_put() takes it back out. */
void vcpu_load(struct vcpu *v);
void vcpu_put(struct vcpu *v);
/* Lazy FP/SIMD (vcpu_switch.c): v (loaded here) used FP/SIMD while
 * trapped: its state goes into the registers, the previous owner's out. */
void vcpu_fp_claim(struct vcpu *v);
/* v's FP/SIMD state back into v->fp if this CPU's registers hold it (before
 * anyone reads or resets v->fp: a vCPU parked, powered off or restarted). */
void vcpu_fp_release(struct vcpu *v);
/* The loaded vCPU's context changed (a guest hypervisor entering or leaving
 * its guest): its hardware EL1 timers go back to the timers of the old map
 * (v->tmap), then run those of the new one (vcpu_timer_map()), with
 * CNTVOFF_EL2, their forwarded vINTIDs and their PPIs' active state. */
void vcpu_timers_remap(struct vcpu *v);

/* Once per physical CPU, after its GIC CPU interface is up: every list
 * register zero, the virtual CPU interface off. */
void vgic_hw_cpu_init(void);
/* Around every entry: the list registers the vGIC filled. */
void vgic_hw_load_lrs(struct vcpu *v);
void vgic_hw_save_lrs(struct vcpu *v);
/* With vcpu_load(): the guest's VMCR and active priorities. */
void vgic_hw_load_ctx(struct vcpu *v);
/* With vcpu_put(): the virtual CPU interface off, so that no maintenance
 * interrupt fires for a vCPU that is not loaded. */
void vgic_hw_off(struct vcpu *v);
/* GICv3: an interface image (the LRs in the mask lrs, ICH_HCR, ICH_VMCR,
 * APRs) in and out of the hardware, for a guest hypervisor's guest
 * (nested.c). Outside a run every hardware LR is zero, and a zero LR stays
 * zero (the hardware changes only valid ones): the LRs outside lrs are
 * neither written nor read. The save leaves the LRs and ICH_HCR_EL2 zero. */
struct vgic_v3_cpu_if;
void vgic_hw_load_image(struct vgic_v3_cpu_if *cif, uint32_t lrs);
void vgic_hw_save_image(struct vgic_v3_cpu_if *cif, uint32_t lrs);

#endif
