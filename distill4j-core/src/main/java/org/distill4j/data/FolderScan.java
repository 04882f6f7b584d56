package org.distill4j.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Lists an image folder laid out as {@code ROOT/train/CLASS/...} and optionally {@code ROOT/val/CLASS/...}, the
 * layout of torchvision's ImageFolder. Images are the files ending .png, .jpg or .jpeg (any case) anywhere under a
 * class folder; hidden files and folders (a leading dot, or macOS's __MACOSX) and other files are ignored.
 * Everything is sorted by name, so the listing, and hence labels and splits, are the same on every machine.
 */
final class FolderScan {
    /** One image: its path, its path relative to the root with '/' separators, its label, and its size and mtime. */
    record ImageFile(Path path, String relative, int label, long size, long modifiedMillis) {
    }

    /** The classes (sorted train/ subfolder names) and the images; {@code val} is null when there is no val/ folder. */
    record Listing(Path root, List<String> classNames, List<ImageFile> train, List<ImageFile> val) {
    }

    private FolderScan() {
    }

    static Listing scan(Path root) {
        String layout = "Put images in " + root + "/train/CLASS/ (one folder per class, PNG or JPEG) and optionally "
                + root + "/val/CLASS/";
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": no such folder. " + layout);
        }
        Path trainDir = root.resolve("train");
        if (!Files.isDirectory(trainDir)) {
            throw new DatasetException(root + ": no train/ folder. " + layout);
        }
        List<String> classNames = classFolders(trainDir);
        if (classNames.isEmpty()) {
            throw new DatasetException(trainDir + ": no class folders in it. " + layout);
        }
        List<ImageFile> train = images(root, "train", classNames, classNames);
        Path valDir = root.resolve("val");
        if (!Files.isDirectory(valDir)) {
            return new Listing(root, classNames, train, null);
        }
        List<String> valClasses = classFolders(valDir);
        if (valClasses.isEmpty()) {
            throw new DatasetException(valDir + ": no class folders in it. Add val/CLASS/ folders, or remove val/ to"
                    + " hold out part of train/ instead");
        }
        List<String> unknown = valClasses.stream().filter(c -> !classNames.contains(c)).toList();
        if (!unknown.isEmpty()) {
            throw new DatasetException(valDir + ": classes " + String.join(", ", unknown) + " have no folder in "
                    + trainDir + " (train/ has " + String.join(", ", classNames) + "; names are case-sensitive)."
                    + " Every val/ class needs training images: rename or remove those folders");
        }
        return new Listing(root, classNames, train, images(root, "val", valClasses, classNames));
    }

    /** Sorted names of the visible subfolders. */
    private static List<String> classFolders(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!hidden(name) && Files.isDirectory(entry)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot be listed (" + e.getMessage() + ")", e);
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** The images of {@code classes} under {@code ROOT/part/}, labelled by their index in {@code classNames}. */
    private static List<ImageFile> images(Path root, String part, List<String> classes, List<String> classNames) {
        List<ImageFile> all = new ArrayList<>();
        for (String className : classes) {
            Path dir = root.resolve(part).resolve(className);
            List<ImageFile> found = new ArrayList<>();
            walk(root, dir, classNames.indexOf(className), found);
            if (found.isEmpty()) {
                throw new DatasetException(dir + ": no .png, .jpg or .jpeg images in it. Add some, or remove the folder");
            }
            found.sort(Comparator.comparing(ImageFile::relative));
            all.addAll(found);
        }
        return all;
    }

    private static void walk(Path root, Path classDir, int label, List<ImageFile> found) {
        try {
            // Links are followed, so a class folder may link to images kept elsewhere; a link cycle is an error.
            Files.walkFileTree(classDir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            boolean skip = !dir.equals(classDir) && hidden(dir.getFileName().toString());
                            return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            String name = file.getFileName().toString();
                            if (attrs.isRegularFile() && !hidden(name) && isImageName(name)) {
                                String relative = root.relativize(file).toString().replace(file.getFileSystem()
                                        .getSeparator(), "/");
                                found.add(new ImageFile(file, relative, label, attrs.size(),
                                        attrs.lastModifiedTime().toMillis()));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new DatasetException(classDir + ": cannot be listed (" + e + ")", e);
        }
    }

    static boolean hidden(String name) {
        return name.startsWith(".") || name.equals("__MACOSX");
    }

    static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }
}
