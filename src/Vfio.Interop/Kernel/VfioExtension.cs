namespace Vfio.Kernel;

/// <summary>
/// Container extensions and IOMMU types of <c>VFIO_CHECK_EXTENSION</c> and <c>VFIO_SET_IOMMU</c> (linux/vfio.h;
/// the numbers are the kernel's and are checked against the header by the ABI test).
/// </summary>
public enum VfioExtension : uint
{
    /// <summary><c>VFIO_TYPE1_IOMMU</c>: the original x86/arm type-1 IOMMU backend.</summary>
    Type1Iommu = 1,
    /// <summary><c>VFIO_SPAPR_TCE_IOMMU</c>: POWER TCE tables.</summary>
    SpaprTceIommu = 2,
    /// <summary><c>VFIO_TYPE1v2_IOMMU</c>: type 1 with v2 unmap semantics; what QEMU uses on x86.</summary>
    Type1v2Iommu = 3,
    /// <summary><c>VFIO_DMA_CC_IOMMU</c>: DMA is cache-coherent (a query, not a type).</summary>
    DmaCcIommu = 4,
    /// <summary><c>VFIO_EEH</c>: POWER EEH error recovery.</summary>
    Eeh = 5,
    /// <summary><c>VFIO_TYPE1_NESTING_IOMMU</c>: type 1 with nested translation (implies v2).</summary>
    Type1NestingIommu = 6,
    /// <summary><c>VFIO_SPAPR_TCE_v2_IOMMU</c>: POWER TCE v2.</summary>
    SpaprTceV2Iommu = 7,
    /// <summary><c>VFIO_NOIOMMU_IOMMU</c>: no IOMMU at all (unsafe mode, taints the kernel).</summary>
    NoIommu = 8,
    /// <summary><c>VFIO_UNMAP_ALL</c>: <c>VFIO_IOMMU_UNMAP_DMA</c> accepts the UNMAP_ALL flag.</summary>
    UnmapAll = 9,
    /// <summary><c>VFIO_UPDATE_VADDR</c>: mappings can have their vaddr updated (live update).</summary>
    UpdateVaddr = 10,
}
