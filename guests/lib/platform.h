/* The QEMU `virt` platform contract that every elvisor VM (and bare QEMU)
 * presents to the test guests: addresses, interrupt numbers, limits. The
 * GIC addresses are fallbacks: the library takes them from the DTB. */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#define RAM_BASE            0x40000000UL
#define IMAGE_TEXT_OFFSET   0x80000UL

#define GICD_BASE           0x08000000UL
#define GICC_BASE           0x08010000UL    /* GICv2 CPU interface */
#define GICR_BASE           0x080A0000UL    /* GICv3 redistributors */
#define GICR_STRIDE         0x20000UL       /* RD_base frame + SGI_base frame */
#define GICR_SGI_OFFSET     0x10000UL
#define UART_BASE           0x09000000UL
#define VIRTIO_MMIO_BASE    0x0A000000UL
#define VIRTIO_MMIO_SIZE    0x4000UL        /* 32 slots of 0x200 */

/* An IPA that is neither RAM nor a device in the contract nor on bare QEMU
 * virt: the gap between the virtio-mmio window and the platform bus. */
#define UNMAPPED_IPA        0x0A800000UL
/* QEMU virt's second PL011 (serial1): elvisor's status port on the host,
 * which no VM may reach. */
#define HOST_UART1_IPA      0x09040000UL

/* Timer PPIs (INTIDs) of the virt board. */
#define INTID_EL1_PTIMER    30
#define INTID_EL1_VTIMER    27
#define INTID_EL2_PTIMER    26
#define INTID_EL2_VTIMER    28
#define INTID_UART          33

#define MAX_CPUS            8
#define STACK_SIZE          0x4000UL

#endif
